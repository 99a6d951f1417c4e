import base64
import hashlib
from datetime import UTC, date, datetime

import time_machine

from openiop.consent.actions import consents as actions
from openiop.consent.defaults import ensure_texts
from openiop.consent.fhir import consent_resource
from openiop.consent.models import Consent, ConsentKind, Purpose
from openiop.consent.tests.helpers import current
from openiop.testing import BaseTestCase

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class ConsentResourceTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        ensure_texts(self.program)

    def make(self, kind, **fields):
        text = current(self.program, kind)
        return Consent.objects.create(
            participant=self.pat,
            kind=kind,
            text=text,
            signed_name="Patricia Lindqvist",
            signed_by=self.pat_user,
            text_sha256=text.sha256,
            **fields,
        )

    def test_a_treatment_consent(self):
        consent = self.make(ConsentKind.TREATMENT)
        resource = consent_resource(consent)
        self.assertEqual(resource["status"], "active")
        self.assertEqual(resource["scope"]["coding"][0]["code"], "treatment")
        self.assertEqual(resource["category"][0]["coding"][0]["code"], "59284-0")
        self.assertEqual(resource["patient"], {"reference": f"Patient/{self.pat.code}"})
        self.assertEqual(resource["dateTime"], NOW.isoformat())
        self.assertEqual(resource["provision"]["type"], "permit")
        self.assertNotIn("end", resource["provision"]["period"])
        self.assertNotIn("policyRule", resource)
        attachment = resource["sourceAttachment"]
        body = consent.text.body.encode()
        self.assertEqual(attachment["hash"], base64.b64encode(hashlib.sha1(body).digest()).decode())
        self.assertEqual(attachment["extension"][0]["valueString"], consent.text_sha256)
        self.assertEqual(resource["policy"], [{"uri": f"urn:uuid:{consent.text.code}"}])

    def test_a_part2_tpo_consent_names_the_policy_and_its_purposes(self):
        resource = consent_resource(self.make(ConsentKind.PART2_TPO))
        self.assertEqual(resource["scope"]["coding"][0]["code"], "patient-privacy")
        self.assertEqual(resource["policyRule"]["coding"][0]["code"], "42CFRPart2")
        self.assertEqual(
            [p["code"] for p in resource["provision"]["purpose"]], ["TREAT", "HPAYMT", "HOPERAT"]
        )

    def test_a_revoked_or_expiring_consent_has_a_period_end(self):
        consent = self.make(ConsentKind.PART2_COUNSELING_NOTES, expires_on=date(2027, 12, 7))
        resource = consent_resource(consent)
        self.assertEqual(resource["provision"]["period"]["end"], "2027-12-07T23:59:59-05:00")
        actions.revoke(consent, acting_user=self.pat_user)
        consent.refresh_from_db()
        resource = consent_resource(consent)
        self.assertEqual(resource["status"], "inactive")
        self.assertEqual(resource["provision"]["period"]["end"], NOW.isoformat())

    def test_a_release_names_its_recipient_and_purpose(self):
        consent = self.make(
            ConsentKind.RELEASE,
            recipient_name="Synthetic Primary Care Clinic",
            purpose=Purpose.TREATMENT,
            expires_on=date(2027, 6, 1),
            includes_part2=True,
        )
        resource = consent_resource(consent)
        self.assertEqual(
            resource["provision"]["actor"][0]["reference"]["display"],
            "Synthetic Primary Care Clinic",
        )
        self.assertEqual(resource["provision"]["purpose"][0]["code"], "TREAT")
        self.assertEqual(resource["policyRule"]["coding"][0]["code"], "42CFRPart2")
