"""A PHQ-9 with item 9 = 1 on a phone, end to end: crisis resources, alert, acknowledgement."""

import re

import pytest

from openiop.assessments import actions
from openiop.assessments.actions import shipped_instrument
from openiop.audit.models import AuditEvent
from openiop.safety.models import SafetyAlert
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser


PHONE = {"width": 390, "height": 844}


class SuicideItemAlertTestCase(BrowserTestCase):
    viewport = PHONE

    def test_item_9_reaches_a_clinician_who_acknowledges_it(self):
        phq9 = shipped_instrument("phq-9")
        actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)

        # Pat answers on her phone: items 1-8 "Not at all", item 9 "Several days" (total 1).
        self.page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page = self.page
        page.get_by_role("link", name="Questionnaires").click()
        page.get_by_role("link", name=re.compile("PHQ-9")).click()
        page.get_by_text("0 of 9 questions answered").wait_for()
        self.assertEqual(serious_violations(page), [])
        for number in range(1, 9):
            question = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
            question.get_by_label("Not at all", exact=True).check()
        page.get_by_role("group", name=re.compile(r"^9\. ")).get_by_label(
            "Several days", exact=True
        ).check()
        page.get_by_text("9 of 9 questions answered").wait_for()
        # The crisis resources show next to item 9 at once, before anything is submitted.
        inline = page.locator('[data-crisis-for="q-9"] .crisis')
        inline.wait_for()
        self.assertIn("988", inline.inner_text())
        page.get_by_text("Saved.").wait_for()
        # The saved answer has already alerted the team.
        self.assertTrue(SafetyAlert.objects.filter(participant=self.pat).exists())
        self.screenshot("phq9-phone-answered")
        page.get_by_role("button", name="Submit", exact=True).click()

        # The crisis resources are the first thing she sees.
        crisis = page.get_by_role("heading", name=re.compile("help is there right now"))
        crisis.wait_for()
        self.assertTrue(crisis.is_visible())
        self.assertTrue(page.locator('.crisis a[href="tel:988"]').is_visible())
        self.assertTrue(page.locator('.crisis a[href="tel:911"]').is_visible())
        self.assertEqual(serious_violations(page), [])
        self.screenshot("phq9-phone-crisis-resources")

        # Dr. Alvarez sees the alert on her caseload page and acknowledges it.
        self.context.close()
        self.context = self.browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        self.page = page = self.context.new_page()
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        banner = page.get_by_role("alert").filter(has_text="Safety alert to acknowledge")
        banner.wait_for()
        self.screenshot("clinician-phone-alert-banner")
        banner.get_by_role("link", name=re.compile("Pat L.")).click()
        page.get_by_role("heading", name="Safety alert: Pat L.", level=1).wait_for()
        self.assertIn("PHQ-9 item 9", page.content())
        page.get_by_label("Completed a suicide-risk assessment").check()
        page.get_by_label("Documentation").fill("Called Pat; low acute risk; safety plan reviewed.")
        page.get_by_role("button", name="Acknowledge the alert").click()
        page.get_by_text("Alert acknowledged.").wait_for()
        self.assertEqual(page.get_by_text("Safety alert to acknowledge").count(), 0)
        self.assertEqual(serious_violations(page), [])
        self.screenshot("clinician-phone-alert-acknowledged")

        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.status, SafetyAlert.Status.ACKNOWLEDGED)
        self.assertEqual(alert.acknowledged_by, self.alvarez)

        # The audit trail holds each step, in order, by the right person.
        steps = [
            (e.event_type, e.actor_id)
            for e in AuditEvent.objects.filter(
                event_type__in=[
                    "assessment.assigned",
                    "assessment.answers_saved",
                    "assessment.submitted",
                    "safety.alert_raised",
                    "safety.alert_repeated",
                    "safety.alert_viewed",
                    "safety.emergency_details_viewed",
                    "safety.alert_acknowledged",
                ]
            ).order_by("seq")
        ]
        collapsed = [step for i, step in enumerate(steps) if i == 0 or steps[i - 1] != step]
        pat, alvarez = self.pat_user.pk, self.alvarez.pk
        self.assertEqual(
            collapsed,
            [
                ("assessment.assigned", alvarez),
                ("assessment.answers_saved", pat),
                ("safety.alert_raised", pat),
                ("assessment.submitted", pat),
                ("safety.alert_repeated", pat),
                # An open alert's page carries the emergency details, and says so.
                ("safety.emergency_details_viewed", alvarez),
                ("safety.alert_acknowledged", alvarez),
                ("safety.alert_viewed", alvarez),
            ],
        )
        raised = AuditEvent.objects.get(event_type="safety.alert_raised")
        self.assertEqual(raised.participant, self.pat)
