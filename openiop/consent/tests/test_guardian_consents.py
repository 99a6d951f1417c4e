"""A parent or guardian signs the consents to care for the adolescent they look after.

Morgan Lindqvist is Pat's mother, linked where the program allows guardians; Riley Marlowe is
Quinn's father. PDF text is checked in the HTML WeasyPrint lays out (test_views.py explains).
"""

from datetime import UTC, datetime
from typing import ClassVar
from unittest import mock

import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.consent.actions import consents as consent_actions
from openiop.consent.actions import invitations
from openiop.consent.defaults import ensure_texts
from openiop.consent.fhir import consent_resource
from openiop.consent.models import REQUIRED_BEFORE_FIRST_SESSION, Consent, ConsentKind
from openiop.consent.queries import missing_before_first_session
from openiop.consent.tests.helpers import current, sign, sign_required
from openiop.lib.pdf import render_pdf
from openiop.participants.models import GuardianLink
from openiop.testing import BaseTestCase

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # 3:00 PM in New York
PASSWORD = "tangerine lighthouse 42"


def guardian(participant, given, family, email, *, by) -> User:
    sent = invitations.invite_guardian(
        participant,
        given_name=given,
        family_name=family,
        email=email,
        relationship="Parent",
        acting_user=by,
    )
    return invitations.accept_invitation(sent.token, password=PASSWORD)


@time_machine.travel(NOW, tick=False)
class GuardianConsentTests(BaseTestCase):
    morgan: ClassVar[User]
    riley: ClassVar[User]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.program.allows_guardians = True
        cls.program.save(update_fields=["allows_guardians"])
        cls.morgan = guardian(cls.pat, "Morgan", "Lindqvist", "morgan@example.org", by=cls.ivy)
        cls.riley = guardian(cls.quinn, "Riley", "Marlowe", "riley@example.org", by=cls.ivy)

    def setUp(self):
        super().setUp()
        ensure_texts(self.program)
        self.html: list[str] = []

    def ward_url(self, participant=None):
        return reverse("consent:ward_consents", args=[(participant or self.pat).code])

    def sign_url(self, kind=ConsentKind.TREATMENT, participant=None):
        return reverse("consent:ward_sign", args=[(participant or self.pat).code, kind.value])

    def post_sign(self, kind=ConsentKind.TREATMENT, **data):
        form = {
            "text": str(current(self.program, kind).code),
            "signed_name": "Morgan Lindqvist",
            "agree": "on",
            **data,
        }
        return self.client.post(
            self.sign_url(kind),
            form,
            REMOTE_ADDR="198.51.100.9",
            HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0)",
        )

    # Seeing and signing

    def test_the_family_portal_lists_the_consents_to_care_and_who_signed(self):
        sign(self.pat, ConsentKind.TREATMENT)
        self.login(self.morgan)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Consents needed before the first session")
        self.assertContains(response, "by <bdi>Pat</bdi>")
        for kind in REQUIRED_BEFORE_FIRST_SESSION[1:]:
            self.assertContains(response, f">Read and sign: {kind.label}</a>", html=False)
            self.assertContains(response, self.sign_url(kind))
        self.assertNotContains(response, f"Read and sign: {ConsentKind.TREATMENT.label}")
        self.assertNotContains(response, "Lindqvist")
        self.assertContains(
            response, '<a href="/" aria-current="page">Family portal</a>', html=True
        )
        self.assertNotContains(response, f'href="{reverse("consent:mine")}"')

    def test_a_guardian_sees_their_wards_missing_consents_and_the_read_is_recorded(self):
        self.login(self.morgan)
        response = self.client.get(self.ward_url())
        self.assertContains(response, "Consents for <bdi>Pat</bdi>")
        self.assertContains(response, "not signed yet", count=4)
        event = AuditEvent.objects.filter(event_type="consent.list_viewed").get()
        self.assertEqual((event.actor, event.participant), (self.morgan, self.pat))

    def test_part2_consents_and_releases_are_never_the_guardians_to_sign(self):
        self.program.part2_program = True
        self.program.save(update_fields=["part2_program"])
        self.login(self.morgan)
        response = self.client.get(self.ward_url())
        self.assertNotContains(response, str(ConsentKind.PART2_TPO.label))
        for kind in ("part2_tpo", "part2_counseling_notes", "release", "nonsense"):
            with self.subTest(kind=kind):
                url = reverse("consent:ward_sign", args=[self.pat.code, kind])
                self.assertEqual(self.client.get(url).status_code, 404)
        part2 = sign(self.pat, ConsentKind.PART2_TPO)
        self.assertEqual(
            self.client.get(reverse("consent:detail", args=[part2.code])).status_code, 404
        )

    def test_the_sign_page_is_the_participants_form_in_the_guardians_name(self):
        self.login(self.morgan)
        response = self.client.get(self.sign_url(ConsentKind.TELEHEALTH))
        self.assertContains(response, "The emergency plan")
        self.assertContains(response, "Type your full name")
        self.assertContains(response, "I have read and agree to this consent")
        self.assertContains(response, '<button type="submit" class="button-large">Sign</button>')
        self.assertContains(response, "Your own name, as the program has it")
        self.assertContains(response, "<bdi>Morgan Lindqvist</bdi>")

    def test_a_guardian_signs_in_their_own_name(self):
        self.login(self.morgan)
        response = self.post_sign(signed_name="  morgan  LINDQVIST ")
        consent = Consent.objects.get()
        self.assertRedirects(response, reverse("consent:detail", args=[consent.code]))
        self.assertEqual(
            (consent.participant, consent.signed_by, consent.signed_name),
            (self.pat, self.morgan, "morgan LINDQVIST"),
        )
        self.assertTrue(consent.signed_by_guardian)
        self.assertEqual(consent.signer_ip, "198.51.100.9")
        page = self.client.get(response["Location"])
        self.assertContains(page, "parent or guardian, on the participant's behalf")
        self.assertContains(page, "Next: Telehealth informed consent")
        self.assertContains(page, self.sign_url(ConsentKind.TELEHEALTH))
        self.assertContains(page, "contact the program")
        self.assertContains(page, "The text that was signed (version 1)")
        self.assertContains(self.client.get(self.ward_url()), "by you")

    def test_a_name_that_is_not_the_guardians_is_refused_and_kept(self):
        self.login(self.morgan)
        for name in ("Patricia Lindqvist", "Pat Lindqvist", "Morgan Smith"):
            with self.subTest(name=name):
                response = self.post_sign(signed_name=name)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "Type your own full name", status_code=400)
                self.assertContains(response, f'value="{name}"', status_code=400)
        self.assertFalse(Consent.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(event_type="consent.signed").exists())

    def test_the_box_must_be_ticked(self):
        self.login(self.morgan)
        response = self.post_sign(agree="")
        self.assertContains(response, "Tick the box", status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_the_signature_is_audited_with_codes_only(self):
        self.login(self.morgan)
        self.post_sign()
        event = AuditEvent.objects.get(event_type="consent.signed")
        self.assertEqual(event.actor, self.morgan)
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.details, {"kind": "treatment", "version": 1, "signer": "guardian"})

    def test_a_guardians_signatures_open_the_participants_gate(self):
        self.login(self.morgan)
        for kind in REQUIRED_BEFORE_FIRST_SESSION:
            self.assertEqual(self.post_sign(kind).status_code, 302)
        self.assertEqual(missing_before_first_session(self.pat), [])
        self.login(self.pat_user)
        mine = self.client.get(reverse("consent:mine"))
        self.assertContains(mine, "by your parent or guardian", count=4)
        page = self.client.get(reverse("consent:sign", args=["treatment"]))
        self.assertContains(page, "Your parent or guardian signed this")

    def test_a_signed_form_is_not_signed_twice(self):
        self.login(self.morgan)
        self.post_sign()
        response = self.client.get(self.sign_url())
        self.assertContains(response, "This is signed")
        self.assertNotContains(response, "Type your full name")
        self.assertEqual(self.post_sign().status_code, 400)
        self.assertEqual(Consent.objects.count(), 1)

    # Copies and revocation

    def test_the_guardian_downloads_the_pdf_and_the_read_is_recorded(self):
        self.login(self.morgan)
        self.post_sign()
        consent = Consent.objects.get()

        def spy(template, context):
            self.html.append(render_to_string(template, context))
            return render_pdf(template, context)

        with mock.patch("openiop.consent.views.consents.render_pdf", side_effect=spy):
            response = self.client.get(reverse("consent:pdf", args=[consent.code]))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF-"))
        (html,) = self.html
        self.assertIn("Morgan Lindqvist", html)
        self.assertIn("Parent or guardian, on the participant's behalf", html)
        self.assertIn(consent.text_sha256, html)
        event = AuditEvent.objects.filter(event_type="consent.exported").get()
        self.assertEqual((event.actor, event.details), (self.morgan, {"format": "pdf"}))

    def test_the_guardian_reads_the_participants_own_signature_too(self):
        consent = sign_required(self.pat)[0]
        self.login(self.morgan)
        page = self.client.get(reverse("consent:detail", args=[consent.code]))
        self.assertContains(page, "Patricia Lindqvist")
        self.assertNotContains(page, "on the participant's behalf")

    def test_the_fhir_copy_names_the_guardian_as_a_related_person(self):
        self.login(self.morgan)
        self.post_sign()
        resource = consent_resource(Consent.objects.get())
        self.assertEqual(
            resource["performer"], [{"type": "RelatedPerson", "display": "Morgan Lindqvist"}]
        )

    def test_consents_to_care_are_not_revoked_by_a_guardian(self):
        self.login(self.morgan)
        self.post_sign()
        consent = Consent.objects.get()
        url = reverse("consent:revoke", args=[consent.code])
        self.assertContains(self.client.get(url), "contact the program")
        response = self.client.post(url)
        self.assertContains(response, "contact the program", status_code=400)
        consent.refresh_from_db()
        self.assertEqual(consent.status, Consent.Status.SIGNED)
        self.assertFalse(AuditEvent.objects.filter(event_type="consent.revoked").exists())

    def test_the_revoke_action_keeps_guardians_to_their_own_wards_consents_to_care(self):
        quinns = sign(self.quinn, ConsentKind.TREATMENT)
        pats_release = sign(self.pat, ConsentKind.PART2_TPO)
        for consent in (quinns, pats_release):
            with self.subTest(kind=consent.kind), self.assertRaises(consent_actions.ConsentError):
                consent_actions.revoke(consent, acting_user=self.morgan)
        self.assertFalse(Consent.objects.filter(status=Consent.Status.REVOKED).exists())

    # Who gets in

    def test_only_the_linked_guardian_reaches_the_family_pages(self):
        sign_required(self.pat)
        consent = Consent.objects.filter(participant=self.pat, kind="treatment").get()
        urls = [
            self.ward_url(),
            self.sign_url(),
            self.sign_url(ConsentKind.TELEHEALTH),
        ]
        for user in (self.riley, self.dana, self.alvarez, self.sam, self.pat_user, self.quinn_user):
            self.login(user)
            for url in urls:
                with self.subTest(user=user.email, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    if url != self.ward_url():
                        self.assertEqual(self.client.post(url).status_code, 404)
        self.login(self.riley)
        for name in ("consent:detail", "consent:pdf", "consent:fhir", "consent:revoke"):
            with self.subTest(name=name):
                url = reverse(name, args=[consent.code])
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertFalse(Consent.objects.filter(signed_by=self.riley).exists())

    def test_a_revoked_link_ends_the_guardians_consent_access_at_once(self):
        consent = sign_required(self.pat)[0]
        link = GuardianLink.objects.get(user=self.morgan)
        invitations.revoke_guardian_link(link, acting_user=self.dana)
        self.login(self.morgan)
        for url in (
            self.ward_url(),
            self.sign_url(),
            reverse("consent:detail", args=[consent.code]),
            reverse("consent:pdf", args=[consent.code]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.post_sign().status_code, 404)
        with self.assertRaises(consent_actions.ConsentError):
            consent_actions.sign_for_ward(
                self.pat,
                current(self.program, ConsentKind.TREATMENT),
                signed_name="Morgan Lindqvist",
                agreed=True,
                ip_address=None,
                user_agent="",
                acting_user=self.morgan,
            )

    def test_a_program_that_stops_allowing_guardians_ends_their_access(self):
        self.program.allows_guardians = False
        self.program.save(update_fields=["allows_guardians"])
        self.login(self.morgan)
        self.assertEqual(self.client.get(self.ward_url()).status_code, 404)
        self.assertEqual(self.post_sign().status_code, 404)
        self.assertContains(self.client.get(reverse("home")), "not linked to anyone")
        self.program.allows_guardians = True
        self.program.save(update_fields=["allows_guardians"])
        self.assertEqual(self.client.get(self.ward_url()).status_code, 200)

    def test_the_participants_own_sign_action_still_refuses_a_guardian(self):
        with self.assertRaises(consent_actions.ConsentError):
            consent_actions.sign(
                self.pat,
                current(self.program, ConsentKind.TREATMENT),
                signed_name="Morgan Lindqvist",
                agreed=True,
                ip_address=None,
                user_agent="",
                acting_user=self.morgan,
            )
        self.login(self.morgan)
        self.assertEqual(self.client.get(reverse("consent:mine")).status_code, 404)
