from datetime import UTC, date, datetime

import time_machine

from openiop.audit.models import AuditEvent
from openiop.consent import queries
from openiop.consent.actions import consents as actions
from openiop.consent.defaults import DEFAULT_TEXTS, ensure_texts
from openiop.consent.models import Consent, ConsentKind, ConsentText
from openiop.consent.tests.helpers import current
from openiop.testing import BaseTestCase

NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def _sign(case, kind=ConsentKind.TREATMENT, name="Patricia Lindqvist", text=None):
    text = text or current(case.program, kind)
    return actions.sign(
        case.pat,
        text,
        signed_name=name,
        agreed=True,
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (iPhone)",
        acting_user=case.pat_user,
    )


@time_machine.travel(NOW, tick=False)
class ConsentActionTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        ensure_texts(self.program, acting_user=self.dana)

    def test_default_texts_are_created_once(self):
        self.assertEqual(
            ConsentText.objects.filter(program=self.program).count(), len(DEFAULT_TEXTS)
        )
        self.assertEqual(ensure_texts(self.program), [])
        self.assertEqual(
            AuditEvent.objects.filter(event_type="consent.default_texts_created").count(), 1
        )

    def test_the_telehealth_default_covers_the_emergency_plan_location_and_risks(self):
        body = DEFAULT_TEXTS[ConsentKind.TELEHEALTH][1]
        for phrase in (
            "988",
            "911",
            "location you gave",
            "licensed",
            "Dropped connections",
            "Video is not for emergencies",
            "Privacy",
        ):
            self.assertIn(phrase, body)

    def test_the_part2_default_holds_the_2_31_elements(self):
        body = DEFAULT_TEXTS[ConsentKind.PART2_TPO][1]
        for phrase in (
            "Who may share my records",
            "What information may be shared",
            "Who may receive my records",
            "treatment, payment, and health care operations",
            "revoke",
            "HIPAA",
            "Expiration: none",
        ):
            self.assertIn(phrase, body)
        self.assertIn("separate consent", body)

    def test_it_signs_the_version_shown_with_name_time_ip_agent_and_hash(self):
        consent = _sign(self, name="  patricia   LINDQVIST ")
        text = current(self.program, ConsentKind.TREATMENT)
        self.assertEqual(consent.text, text)
        self.assertEqual(consent.text_sha256, text.sha256)
        self.assertEqual(consent.signed_name, "patricia LINDQVIST")
        self.assertEqual(consent.signed_at, NOW)
        self.assertEqual(consent.signer_ip, "203.0.113.7")
        self.assertEqual(consent.signer_user_agent, "Mozilla/5.0 (iPhone)")
        self.assertEqual(queries.in_force(self.pat, ConsentKind.TREATMENT), consent)
        event = AuditEvent.objects.get(event_type="consent.signed")
        self.assertEqual(event.details, {"kind": "treatment", "version": 1})
        self.assertEqual((event.actor, event.participant), (self.pat_user, self.pat))

    def test_it_accepts_the_preferred_name_and_middle_names_and_accents(self):
        for name in ("Pat Lindqvist", "Patricia Anne Lindqvist", "Patrícia Lindqvist"):
            with self.subTest(name=name):
                self.assertEqual(actions.clean_signed_name(name, self.pat), name)

    def test_it_refuses_empty_invisible_and_someone_elses_names(self):
        cases = {
            "   ": "Type your full name",
            "Patricia\u202e Lindqvist": "invisible",
            "Quinn Marlowe": "as it is on your record: Patricia Lindqvist",
            "Lindqvist": "as it is on your record",
            "!!! ???": "as it is on your record",
        }
        for name, message in cases.items():
            with self.subTest(name=name), self.assertRaisesMessage(actions.ConsentError, message):
                _sign(self, name=name)
        self.assertFalse(Consent.objects.exists())

    def test_it_refuses_a_text_replaced_while_the_person_read_it(self):
        shown = current(self.program, ConsentKind.TELEHEALTH)
        actions.save_text(
            self.program,
            ConsentKind.TELEHEALTH,
            title="Telehealth",
            body="New words.",
            expected_version=1,
            acting_user=self.dana,
        )
        with self.assertRaises(actions.StaleText):
            _sign(self, ConsentKind.TELEHEALTH, text=shown)
        self.assertFalse(Consent.objects.exists())

    def test_it_refuses_without_the_box_ticked_and_for_someone_else(self):
        text = current(self.program, ConsentKind.TREATMENT)
        with self.assertRaisesMessage(actions.ConsentError, "Tick the box"):
            actions.sign(
                self.pat,
                text,
                signed_name="Patricia Lindqvist",
                agreed=False,
                ip_address=None,
                user_agent="",
                acting_user=self.pat_user,
            )
        with self.assertRaisesMessage(actions.ConsentError, "Only the participant"):
            actions.sign(
                self.pat,
                text,
                signed_name="Patricia Lindqvist",
                agreed=True,
                ip_address=None,
                user_agent="",
                acting_user=self.alvarez,
            )

    def test_a_double_submit_signs_once(self):
        _sign(self)
        with self.assertRaisesMessage(actions.ConsentError, "signed this consent already"):
            _sign(self)
        self.assertEqual(Consent.objects.count(), 1)

    def test_editing_a_text_after_signing_keeps_the_signed_version(self):
        consent = _sign(self)
        old_body = consent.text.body
        new = actions.save_text(
            self.program,
            ConsentKind.TREATMENT,
            title="Consent to treatment",
            body="Rewritten.",
            expected_version=1,
            acting_user=self.dana,
        )
        self.assertEqual(new.version, 2)
        consent.refresh_from_db()
        self.assertEqual(consent.text.version, 1)
        self.assertEqual(consent.text.body, old_body)
        self.assertEqual(consent.text_sha256, consent.text.sha256)
        self.assertNotEqual(new.sha256, consent.text_sha256)
        # The signature still counts; the new version can be signed as well.
        self.assertEqual(queries.missing_before_first_session(self.pat)[0], "telehealth")
        self.assertEqual(_sign(self).text, new)

    def test_a_second_editor_gets_a_conflict(self):
        actions.save_text(
            self.program,
            ConsentKind.RECORDING,
            title="A",
            body="First.",
            expected_version=1,
            acting_user=self.dana,
        )
        with self.assertRaisesMessage(actions.StaleText, "published version 2"):
            actions.save_text(
                self.program,
                ConsentKind.RECORDING,
                title="B",
                body="Second.",
                expected_version=1,
                acting_user=self.dana,
            )
        self.assertEqual(current(self.program, ConsentKind.RECORDING).body, "First.\n")
        event = AuditEvent.objects.get(event_type="consent.text_published")
        self.assertEqual(event.details["version"], 2)

    def test_revoking_takes_effect_at_once(self):
        self.program.part2_program = True
        self.program.save()
        consent = _sign(self, ConsentKind.PART2_TPO)
        self.assertIsNone(consent.expires_on)
        actions.revoke(consent, acting_user=self.pat_user)
        self.assertIsNone(queries.in_force(self.pat, ConsentKind.PART2_TPO))
        consent.refresh_from_db()
        self.assertEqual((consent.status, consent.revoked_at), ("revoked", NOW))
        self.assertEqual(
            AuditEvent.objects.get(event_type="consent.revoked").details, {"kind": "part2_tpo"}
        )
        with self.assertRaisesMessage(actions.ConsentError, "revoked already"):
            actions.revoke(consent, acting_user=self.pat_user)

    def test_counseling_notes_consent_ends_after_a_year(self):
        consent = _sign(self, ConsentKind.PART2_COUNSELING_NOTES)
        self.assertEqual(consent.expires_on, date(2027, 12, 7))

    def test_required_consents_cannot_be_revoked(self):
        consent = _sign(self)
        with self.assertRaisesMessage(actions.ConsentError, "ends when you leave the program"):
            actions.revoke(consent, acting_user=self.pat_user)
        self.assertIsNotNone(queries.in_force(self.pat, ConsentKind.TREATMENT))
