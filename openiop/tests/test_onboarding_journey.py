"""Issue 11's first "Done when" line as one journey in Chromium (admission to first session).

Ivy, the intake coordinator, admits Robin from the referral page. Robin receives the portal
invitation (the locmem backend stands in for email), opens it on a phone (390×844), sets a
password and lands on her portal. Her session's pre-join page refuses her until the four
required consents are signed, and lists them with links; once she has signed them (each on
the program's current text version) the page asks for her location, the last step before the
waiting room. Each consent's PDF is laid out from the exact text version she signed, and stays
so after the program publishes a new version of that text.
"""

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils.html import linebreaks

from openiop.consent.actions import consents as consent_actions
from openiop.consent.models import REQUIRED_BEFORE_FIRST_SESSION, Consent, ConsentKind
from openiop.consent.tests.invitation_helpers import LINK, new_chart
from openiop.intake import actions as intake
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.lib.pdf import render_pdf
from openiop.scheduling.models import Booking
from openiop.telehealth.tests.helpers import make_session
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PASSWORD = "tangerine lighthouse 42"


def referral_ready_to_admit(case: Any, participant: Any) -> Referral:
    """Referral → screening → assessment → level of care, by the real actions: the stage at
    which the coordinator records the admission."""
    referral = Referral.objects.create(
        participant=participant,
        program=case.program,
        source=Referral.Source.PRIMARY_CARE,
        reason="Synthetic referral",
        consent_to_contact=True,
        created_by=case.ivy,
    )
    intake.record_screening(referral, proceed=True, note="", referred_to="", acting_user=case.ivy)
    intake.save_assessment(
        referral,
        fields={
            "presenting_problem": "Low mood for three months",
            "strengths": "Curious; a supportive aunt",
            "goals": "Get back to school",
            "functional_impairment": "moderate",
            "clinician_risk": "low",
            "weekly_hours_needed": Decimal("9"),
            "needs_24_hour_care": False,
            "diagnoses": ["F33.1"],
        },
        acting_user=case.alvarez,
    )
    referral.refresh_from_db()
    intake.decide_level_of_care(
        referral, chosen_level="iop", variance_reason="Synthetic", acting_user=case.dana
    )
    referral.refresh_from_db()
    return referral


class OnboardingJourneyTestCase(BrowserTestCase):
    def test_admission_invitation_password_consents_then_the_pre_join_page(self):
        robin = new_chart(self.program, email="robin.okafor@example.org")
        referral = referral_ready_to_admit(self, robin)
        self.assertEqual(referral.stage, Referral.Stage.ADMISSION)
        session = make_session(self, "Evening skills group", [self.alvarez], [])
        self.page.set_default_timeout(20_000)

        # 1. Ivy admits Robin; the admission sends the invitation (no PHI in it).
        with override_settings(OPENIOP_BASE_URL=self.live_server_url):
            self.sign_in(self.ivy)
            page = self.page
            page.goto(self.url(referral.get_absolute_url()))
            page.get_by_label("Admit to the program").check()
            page.get_by_role("button", name="Record the decision").click()
            page.get_by_text("Seat in a group").wait_for()
            self.screenshot("onboarding-01-admitted")
        self.assertTrue(EpisodeOfCare.objects.filter(participant=robin).exists())
        Booking.objects.create(session=session, participant=robin, source=Booking.Source.MAKEUP)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["robin.okafor@example.org"])
        for phi in ("Okafor", "Robin", "F33", self.program.name):
            self.assertNotIn(phi, f"{message.subject} {message.body}")
        match = LINK.search(str(message.body))
        assert match is not None

        # 2. On a phone, Robin opens the link and sets a password.
        self.context.close()
        self.context = self.browser.new_context(viewport=PHONE)
        self.page = page = self.context.new_page()
        page.set_default_timeout(20_000)
        page.goto(match.group(0))
        page.get_by_role("heading", name="Set up your OpenIOP account").wait_for()
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password again").fill(PASSWORD)
        page.get_by_role("button", name="Set up my account").click()
        page.get_by_role("heading", name="Welcome, Robin").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("onboarding-02-portal-home")
        robin.refresh_from_db()
        self.assertIsNotNone(robin.user_id)

        # 3. The pre-join page refuses her until the required consents are signed.
        join = self.url(f"/video/{session.code}/join/")
        page.goto(join)
        page.get_by_role("heading", name="Sign your consent forms first").wait_for()
        self.assertEqual(page.get_by_role("heading", name="Your location today").count(), 0)
        links = page.locator(".consents-missing li a").all_inner_texts()
        self.assertEqual(links, [str(kind.label) for kind in REQUIRED_BEFORE_FIRST_SESSION])
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("onboarding-03-pre-join-refused")

        # 4. She signs each one from the pre-join page's list.
        for n, kind in enumerate(REQUIRED_BEFORE_FIRST_SESSION, start=1):
            page.goto(join)
            page.get_by_role("link", name=str(kind.label)).click()
            page.get_by_label("Type your full name").fill("Robin Okafor")
            page.get_by_label("I have read and agree to this consent").check()
            page.get_by_role("button", name="Sign", exact=True).click()
            page.get_by_text(f"Signed: {kind.label}.").wait_for()
            if n == 1:
                self.assertEqual(self.serious_violations(), [])
                self.screenshot("onboarding-04-first-consent-signed")

        # 5. Only now: the pre-join page asks where she is, the step before the waiting room.
        page.goto(join)
        page.get_by_role("heading", name="Your location today").wait_for()
        self.assertEqual(
            page.get_by_role("heading", name="Sign your consent forms first").count(), 0
        )
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("onboarding-05-pre-join-open")

        # 6. The program publishes a new telehealth text; her signature keeps its version.
        telehealth = Consent.objects.get(participant=robin, kind=ConsentKind.TELEHEALTH)
        signed_text = telehealth.text
        consent_actions.save_text(
            self.program,
            ConsentKind.TELEHEALTH,
            title=signed_text.title,
            body=signed_text.body + "\n\nA new paragraph added after Robin signed.",
            expected_version=signed_text.version,
            acting_user=self.dana,
        )

        # 7. Each PDF is laid out from the exact text version signed, with its digest.
        consents = list(Consent.objects.filter(participant=robin).select_related("text"))
        self.assertEqual(len(consents), len(REQUIRED_BEFORE_FIRST_SESSION))
        for consent in consents:
            html = self.pdf_html(consent)
            self.assertEqual(consent.text_sha256, consent.text.sha256)
            self.assertIn(consent.text_sha256, html)
            self.assertIn(f"version {consent.text.version}", html)
            # The whole signed text, as the template lays it out, and nothing added later.
            self.assertIn(linebreaks(consent.text.body, autoescape=True), html)
            self.assertNotIn("A new paragraph added after Robin signed.", html)

    def pdf_html(self, consent: Consent) -> str:
        """Download the consent's PDF in Robin's browser, returning the HTML it was laid out
        from (WeasyPrint writes text as glyphs; the HTML is what can be compared)."""
        laid_out: list[str] = []

        def spy(template: str, context: dict) -> bytes:
            laid_out.append(render_to_string(template, context))
            return render_pdf(template, context)

        with mock.patch("openiop.consent.views.consents.render_pdf", side_effect=spy):
            response = self.page.request.get(self.url(f"/consent/{consent.code}/consent.pdf"))
        self.assertEqual(response.status, 200)
        self.assertTrue(response.body().startswith(b"%PDF-"))
        self.assertIn("attachment", response.headers["content-disposition"])
        self.assertEqual(len(laid_out), 1)
        return laid_out[0]
