"""The consent pages: the participant signs, downloads and revokes; staff read; directors edit.

PDF text is checked in the HTML WeasyPrint lays out (see careplans/tests/test_plan_pdf.py for
why): the test spies on the view's call to `render_pdf`.
"""

import json
from datetime import UTC, datetime
from unittest import mock

import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.consent.actions import consents as actions
from openiop.consent.defaults import ensure_texts
from openiop.consent.models import Consent, ConsentKind, ConsentText
from openiop.consent.tests.helpers import current, sign_required
from openiop.lib.pdf import render_pdf
from openiop.testing import BaseTestCase

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # 3:00 PM in New York
SIGN = "consent:sign"


@time_machine.travel(NOW, tick=False)
class ConsentViewTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        ensure_texts(self.program)
        self.html: list[str] = []

    def text(self, kind=ConsentKind.TREATMENT):
        return current(self.program, kind)

    def post_sign(self, kind=ConsentKind.TREATMENT, *, text=None, **data):
        form = {
            "text": str((text or self.text(kind)).code),
            "signed_name": "Patricia Lindqvist",
            "agree": "on",
            **data,
        }
        return self.client.post(
            reverse(SIGN, args=[kind.value]),
            form,
            REMOTE_ADDR="198.51.100.4",
            HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0)",
        )

    def download(self, user, consent):
        def spy(template, context):
            self.html.append(render_to_string(template, context))
            return render_pdf(template, context)

        self.login(user)
        with mock.patch("openiop.consent.views.consents.render_pdf", side_effect=spy):
            return self.client.get(reverse("consent:pdf", args=[consent.code]))

    # My consents and signing

    def test_my_consents_lists_required_ones_first_then_optional(self):
        self.program.part2_program = True
        self.program.save()
        self.login(self.pat_user)
        response = self.client.get(reverse("consent:mine"))
        self.assertContains(response, "Needed before your first session")
        content = response.content.decode()
        order = [
            content.index(str(k.label))
            for k in (
                ConsentKind.TREATMENT,
                ConsentKind.RECORDING,
                ConsentKind.PART2_TPO,
                ConsentKind.PART2_COUNSELING_NOTES,
            )
        ]
        self.assertEqual(order, sorted(order))
        self.assertContains(response, "Not signed yet", count=4)

    def test_part2_consents_are_offered_in_part2_programs_only(self):
        self.login(self.pat_user)
        response = self.client.get(reverse("consent:mine"))
        self.assertNotContains(response, str(ConsentKind.PART2_TPO.label))
        self.assertEqual(self.client.get(reverse(SIGN, args=["part2_tpo"])).status_code, 404)
        self.assertEqual(self.client.get(reverse(SIGN, args=["release"])).status_code, 404)
        self.assertEqual(self.client.get(reverse(SIGN, args=["nonsense"])).status_code, 404)

    def test_the_sign_page_shows_the_full_text_and_the_form(self):
        self.login(self.pat_user)
        response = self.client.get(reverse(SIGN, args=["telehealth"]))
        self.assertContains(response, "The emergency plan")
        self.assertContains(response, "Type your full name")
        self.assertContains(response, "I have read and agree to this consent")
        self.assertContains(response, f'value="{self.text(ConsentKind.TELEHEALTH).code}"')
        self.assertContains(response, '<button type="submit" class="button-large">Sign</button>')

    def test_a_participant_signs_and_lands_on_their_copy(self):
        self.login(self.pat_user)
        response = self.post_sign()
        consent = Consent.objects.get()
        self.assertRedirects(response, reverse("consent:detail", args=[consent.code]))
        self.assertEqual(consent.signer_ip, "198.51.100.4")
        self.assertIn("iPhone", consent.signer_user_agent)
        self.assertEqual(consent.text_sha256, self.text().sha256)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Download a copy (PDF)")
        self.assertContains(page, "Next: Telehealth informed consent")
        self.assertContains(page, "Consent to treatment ends when you leave the program")
        self.assertContains(self.client.get(reverse(SIGN, args=["treatment"])), "You signed this")

    def test_it_keeps_what_was_typed_and_explains_a_bad_name(self):
        self.login(self.pat_user)
        response = self.post_sign(signed_name="Quinn Marlowe", agree="")
        self.assertContains(response, "There is a problem", status_code=400)
        self.assertContains(
            response, "as it is on your record: Patricia Lindqvist", status_code=400
        )
        self.assertContains(response, "Tick the box", status_code=400)
        self.assertContains(response, 'value="Quinn Marlowe"', status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_a_text_published_between_reading_and_signing_is_not_signed(self):
        shown = self.text()
        new = actions.save_text(
            self.program,
            ConsentKind.TREATMENT,
            title="Consent to treatment",
            body="The new words of version two.",
            expected_version=1,
            acting_user=self.dana,
        )
        self.login(self.pat_user)
        response = self.post_sign(text=shown)
        self.assertContains(
            response, "updated this consent while you were reading", status_code=409
        )
        self.assertContains(response, "The new words of version two.", status_code=409)
        self.assertContains(response, f'value="{new.code}"', status_code=409)
        self.assertContains(response, 'value="Patricia Lindqvist"', status_code=409)
        self.assertFalse(Consent.objects.exists())

    def test_staff_cannot_sign_for_the_participant(self):
        self.login(self.alvarez)
        self.assertEqual(self.client.get(reverse(SIGN, args=["treatment"])).status_code, 404)
        self.assertEqual(self.post_sign().status_code, 404)

    # The copy: PDF and FHIR

    def test_the_pdf_holds_the_signed_version_even_after_the_program_edits_it(self):
        self.login(self.pat_user)
        self.post_sign()
        consent = Consent.objects.get()
        signed_body = consent.text.body
        actions.save_text(
            self.program,
            ConsentKind.TREATMENT,
            title="Consent to treatment",
            body="Version two says something else.",
            expected_version=1,
            acting_user=self.dana,
        )
        response = self.download(self.pat_user, consent)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertTrue(response.content.startswith(b"%PDF-"))
        (html,) = self.html
        self.assertIn("What the program is", html)
        self.assertIn("The text signed (version 1)", html)
        self.assertNotIn("Version two says something else", html)
        self.assertIn(consent.text_sha256, html)
        self.assertEqual(
            consent.text_sha256,
            ConsentText.objects.get(program=self.program, kind="treatment", version=1).sha256,
        )
        self.assertIn("Patricia Lindqvist", html)
        self.assertIn("Mon 7 Dec 2026, 3:00 PM EST", html)
        self.assertIn("198.51.100.4", html)
        self.assertIn("iPhone", html)
        first_paragraph = signed_body.split("\n\n")[0].replace("\n", "<br>")
        self.assertIn(first_paragraph, html)

    def test_staff_who_read_the_chart_download_it_and_the_read_is_recorded(self):
        consent = sign_required(self.pat)[0]
        response = self.download(self.sam, consent)
        self.assertEqual(response.status_code, 200)
        event = AuditEvent.objects.filter(event_type="consent.exported").latest("seq")
        self.assertEqual((event.actor, event.details), (self.sam, {"format": "pdf"}))
        self.assertEqual(self.download(self.chen, consent).status_code, 404)
        self.assertEqual(self.download(self.quinn_user, consent).status_code, 404)

    def test_the_fhir_copy_is_a_json_attachment(self):
        consent = sign_required(self.pat)[0]
        self.login(self.pat_user)
        response = self.client.get(reverse("consent:fhir", args=[consent.code]))
        self.assertEqual(response["Content-Type"], "application/fhir+json")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        resource = json.loads(response.content)
        self.assertEqual(resource["resourceType"], "Consent")
        self.assertEqual(resource["patient"]["reference"], f"Patient/{self.pat.code}")

    # Revoking

    def test_revoke_asks_first_then_ends_the_consent_at_once(self):
        self.program.part2_program = True
        self.program.save()
        self.login(self.pat_user)
        self.post_sign(ConsentKind.PART2_TPO)
        consent = Consent.objects.get(kind="part2_tpo")
        url = reverse("consent:revoke", args=[consent.code])
        self.assertContains(self.client.get(url), "Yes, revoke this consent")
        self.assertEqual(Consent.objects.get(pk=consent.pk).status, "signed")
        self.assertRedirects(self.client.post(url), reverse("consent:mine"))
        self.assertEqual(Consent.objects.get(pk=consent.pk).status, "revoked")
        self.assertContains(self.client.get(reverse("consent:mine")), "Revoked")

    def test_a_required_consent_shows_why_it_cannot_be_revoked(self):
        consent = sign_required(self.pat)[2]
        self.login(self.pat_user)
        url = reverse("consent:revoke", args=[consent.code])
        self.assertContains(self.client.get(url), "stays in place while you take part")
        self.assertContains(self.client.post(url), "stays in place", status_code=400)
        self.assertEqual(Consent.objects.get(pk=consent.pk).status, "signed")

    def test_only_the_participant_revokes(self):
        consent = sign_required(self.pat)[0]
        for user, status in ((self.alvarez, 403), (self.chen, 404), (self.quinn_user, 404)):
            self.login(user)
            with self.subTest(user=user.email):
                url = reverse("consent:revoke", args=[consent.code])
                self.assertEqual(self.client.post(url).status_code, status)

    # Staff

    def test_the_charts_consents_page_lists_status_version_and_time(self):
        sign_required(self.pat)
        self.login(self.sam)
        response = self.client.get(reverse("consent:participant", args=[self.pat.code]))
        self.assertContains(response, "In force", count=4)
        self.assertContains(response, "Mon 7 Dec 2026, 3:00 PM EST", count=4)
        self.assertContains(response, "Every consent needed before the first session is signed")
        chart = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(chart, reverse("consent:participant", args=[self.pat.code]))
        self.login(self.alvarez)
        quinn = self.client.get(reverse("consent:participant", args=[self.quinn.code]))
        self.assertEqual(quinn.status_code, 404)

    def test_the_list_page_names_what_is_missing(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("consent:participant", args=[self.pat.code]))
        self.assertContains(response, "Not signed yet, needed before the first session")
        self.assertContains(response, "No consents signed yet.")

    # Directors

    def test_a_director_publishes_a_new_version(self):
        self.login(self.dana)
        texts = self.client.get(reverse("consent:program_texts", args=[self.program.code]))
        self.assertContains(texts, "Group confidentiality agreement")
        url = reverse("consent:edit_text", args=[self.program.code, "recording"])
        self.assertContains(self.client.get(url), "no screenshots")
        response = self.client.post(
            url, {"title": "No recording", "body": "Do not record.", "version": 1}
        )
        self.assertRedirects(response, reverse("consent:program_texts", args=[self.program.code]))
        self.assertEqual(self.text(ConsentKind.RECORDING).version, 2)
        self.assertEqual(self.text(ConsentKind.RECORDING).body, "Do not record.\n")

    def test_a_second_editor_sees_a_conflict_and_keeps_their_text(self):
        actions.save_text(
            self.program,
            ConsentKind.RECORDING,
            title="First",
            body="First.",
            expected_version=1,
            acting_user=self.dana,
        )
        self.login(self.dana)
        url = reverse("consent:edit_text", args=[self.program.code, "recording"])
        response = self.client.post(
            url, {"title": "Mine", "body": "My careful words.", "version": 1}
        )
        self.assertContains(response, "published version 2", status_code=409)
        self.assertContains(response, "My careful words.", status_code=409)
        self.assertContains(response, "The current version (2)", status_code=409)
        self.assertContains(response, 'name="version" value="2"', status_code=409)
        self.assertEqual(self.text(ConsentKind.RECORDING).body, "First.\n")

    def test_only_the_programs_directors_edit_texts(self):
        for user in (self.alvarez, self.ivy, self.admin, self.pat_user):
            self.login(user)
            with self.subTest(user=user.email):
                url = reverse("consent:program_texts", args=[self.program.code])
                self.assertEqual(self.client.get(url).status_code, 404)
