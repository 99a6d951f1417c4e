"""Issue 10's browser "Done when" line as one journey in Chromium (the crisis safety pathway).

Pat answers the ASQ on her phone and would rather not answer question 1: a refusal counts as a
positive screen, so the crisis resources show at once and a high alert opens. It is a Saturday
night in New York, after hours, so the escalation ladder gives the alert to whoever is on call,
Dr. Chen, who gets one text and one email that say nothing about Pat. Dr. Chen opens the alert
from the banner, finds Pat's phone, the location she gave at her last video session and her
emergency contact, completes and signs a brief safety assessment, writes and signs a safety plan
and acknowledges the alert, all from the alert. Pat then opens her safety plan on her phone with
the network switched off.

The calendar: Saturday 16 January 2027, 22:00 in New York (EST), a moment after the time this
test was written, so nothing the browser keeps has expired by its own clock. The server's clock
ticks on from there.
"""

import re
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks.signals import task_enqueued

from openiop.accounts.models import User
from openiop.assessments import actions as assessments
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Response
from openiop.notifications.sms import locmem
from openiop.participants.models import Participant
from openiop.safety.models import (
    Acuity,
    AlertEvent,
    EscalationNotice,
    LadderStep,
    SafetyAlert,
    SafetyAssessment,
    SafetyPlan,
)
from openiop.safety.tests.offline import PLAN_STORED_OFFLINE, WORKER_IN_CONTROL
from openiop.telehealth.models import Attendance
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

NY = ZoneInfo("America/New_York")
SATURDAY_NIGHT = datetime(2027, 1, 16, 22, tzinfo=NY)  # after hours: the on-call clinician's
PHONE = {"width": 390, "height": 844}
CHEN_MOBILE = "+15555550122"
DUPLICATE_IDS = (
    "[...document.querySelectorAll('[id]')].map(e => e.id)"
    ".filter((id, i, ids) => ids.indexOf(id) !== i)"
)
TEXT = "OpenIOP: an urgent item needs you — sign in"


class CrisisJourneyTestCase(BrowserTestCase):
    viewport = PHONE

    def setUp(self):
        self.enterContext(time_machine.travel(SATURDAY_NIGHT, tick=True))
        super().setUp()
        self.page.set_default_timeout(20_000)
        locmem.reset()
        mail.outbox.clear()
        # The dummy task backend keeps each thread's jobs apart, and the live server answers
        # in its own threads: collect every job enqueued anywhere, as a worker would see them.
        self.queued: list[Any] = []
        self.done: set[str] = set()
        task_enqueued.connect(self.collect_job, dispatch_uid="crisis-journey")
        self.addCleanup(task_enqueued.disconnect, dispatch_uid="crisis-journey")
        User.objects.filter(pk=self.chen.pk).update(mobile_phone=CHEN_MOBILE)
        Participant.objects.filter(pk=self.pat.pk).update(
            emergency_contact_name="Robin Lindqvist",
            emergency_contact_relationship="Sister",
            emergency_contact_phone="+15555550142",
        )
        # Pat checked in to a video session earlier this evening and said where she was.
        at = timezone.now() - timedelta(hours=3)
        Attendance.objects.create(
            session_code=uuid.uuid4(),
            participant=self.pat,
            location="12 Elm St, Brooklyn",
            location_state="NY",
            callback_phone="+15555550177",
            private_place=True,
            location_confirmed_at=at,
            waiting_since=at,
        )
        assessments.assign_instrument(self.pat, shipped_instrument("asq"), acting_user=self.alvarez)

    # --- helpers -------------------------------------------------------------------------

    def open_as(self, user: Any, viewport: dict[str, int] | None = None) -> Any:
        """A fresh browser context signed in as `user`; it becomes `self.page`."""
        context = self.browser.new_context(viewport=viewport or self.viewport)
        self.addCleanup(context.close)
        self.page = context.new_page()
        self.page.set_default_timeout(20_000)
        self.sign_in(user)
        return self.page

    def shot(self, step: str) -> None:
        self.screenshot(f"crisis-journey-{step}")

    def assert_accessible(self) -> None:
        self.assertEqual(self.serious_violations(), [])

    def collect_job(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        self.queued.append(task_result)

    def run_jobs(self) -> None:
        """Run, as the task worker would now, every queued job that is due (and the jobs those
        jobs queue), each once (as openiop/safety/tests/test_ladder.py does)."""
        while True:
            at = timezone.now()
            due = [
                result
                for result in list(self.queued)
                if result.id not in self.done
                and (result.task.run_after is None or result.task.run_after <= at)
            ]
            if not due:
                return
            for result in due:
                self.done.add(result.id)
                result.task.call(*result.args, **result.kwargs)

    # --- the journey ---------------------------------------------------------------------

    def test_an_asq_refusal_reaches_the_on_call_clinician_and_a_plan_pat_can_read_offline(self):
        pat_page = self.page
        alert = self.pat_refuses_an_asq_question()
        self.the_on_call_clinician_is_told_without_phi(alert)
        self.chen_assesses_plans_and_acknowledges_from_the_alert(alert)
        self.page = pat_page
        self.pat_reads_her_plan_offline()

    def pat_refuses_an_asq_question(self) -> SafetyAlert:
        """1. Pat, on her phone, would rather not answer question 1: help at once."""
        page = self.page
        self.sign_in(self.pat_user)
        page.get_by_role("link", name="Questionnaires").click()
        page.get_by_role("link", name=re.compile("ASQ")).click()
        page.get_by_role("group", name=re.compile(r"^1\. ")).get_by_label(
            "I'd rather not answer"
        ).check()
        # The crisis resources show beside the question, before anything is submitted.
        inline = page.locator('[data-crisis-for="q-1"] .crisis')
        inline.wait_for()
        self.assertIn("988", inline.inner_text())
        self.assertIn("911", inline.inner_text())
        page.get_by_text("Saved.").wait_for()
        self.assertFalse(Response.objects.filter(status=Response.Status.SUBMITTED).exists())
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.acuity, Acuity.HIGH)
        self.assert_accessible()
        self.shot("01-asq-refusal")

        for number in ("2", "3", "4"):
            page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(
                "No", exact=True
            ).check()
        # A refusal asks the acuity question, as a "yes" would.
        acuity = page.get_by_role("group", name=re.compile(r"^5\. "))
        acuity.get_by_label("No", exact=True).check()
        page.get_by_text("Saved.").wait_for()
        page.get_by_role("button", name="Submit", exact=True).click()
        page.get_by_role("heading", name=re.compile("help is there right now")).wait_for()
        self.assertIn("988", page.locator("main").inner_text())
        self.assert_accessible()
        self.shot("02-crisis-resources")

        self.assertTrue(
            Response.objects.filter(participant=self.pat, status=Response.Status.SUBMITTED).exists()
        )
        alert = SafetyAlert.objects.get(participant=self.pat)  # one alert for both signals
        self.assertTrue(alert.is_open)
        self.assertEqual(alert.acuity, Acuity.HIGH)
        return alert

    def the_on_call_clinician_is_told_without_phi(self, alert: SafetyAlert) -> None:
        """2. After hours the ladder gives the alert to Dr. Chen, on call: one text, one email."""
        self.assertEqual(alert.owner, self.chen)
        self.assertEqual(alert.ladder_step, LadderStep.OWNER)
        owner_set = AlertEvent.objects.get(alert=alert, kind=AlertEvent.Kind.OWNER_SET)
        self.assertEqual((owner_set.recipient, owner_set.detail), (self.chen, "On call now"))
        self.run_jobs()
        self.assertEqual([message.to for message in locmem.outbox], [CHEN_MOBILE])
        self.assertEqual([message.to for message in mail.outbox], [[self.chen.email]])
        secrets = ["Patricia", "Lindqvist", "Pat ", "ASQ", str(self.pat.code), str(alert.code)]
        self.assertEqual(locmem.outbox[0].body, TEXT)
        email = mail.outbox[0]
        for secret in secrets:
            self.assertNotIn(secret, locmem.outbox[0].body)
            self.assertNotIn(secret, email.subject + "\n" + email.body)
        self.assertEqual(
            set(
                EscalationNotice.objects.filter(alert=alert).values_list(
                    "recipient", "channel", "status"
                )
            ),
            {
                (self.chen.pk, EscalationNotice.Channel.SMS, "sent"),
                (self.chen.pk, EscalationNotice.Channel.EMAIL, "sent"),
            },
        )

    def chen_assesses_plans_and_acknowledges_from_the_alert(self, alert: SafetyAlert) -> None:
        """3. Dr. Chen opens the alert from the banner and works it through."""
        page = self.open_as(self.chen)
        banner = page.get_by_role("alert")
        banner.get_by_text("1 safety alert to acknowledge").wait_for()
        banner.get_by_role("link", name=re.compile(r"High\s+Pat L\.")).click()
        panel = page.get_by_role("region", name="Emergency details")
        panel.wait_for()
        panel.get_by_role("link", name=re.compile("Call Patricia Lindqvist")).wait_for()
        panel.get_by_text("12 Elm St, Brooklyn").wait_for()
        panel.get_by_text("Robin Lindqvist").wait_for()
        panel.get_by_role("link", name=re.compile("Call the emergency contact")).wait_for()
        self.assert_accessible()
        self.shot("03-alert-emergency-details")

        # The brief safety assessment, started from the alert.
        page.get_by_text("Needed before acknowledging").wait_for()
        page.get_by_role("button", name="Start a brief safety assessment").click()
        page.get_by_role("heading", name=re.compile("Brief safety assessment")).wait_for()
        page.get_by_label("Risk factors").fill("Declined to answer the first ASQ question.")
        page.get_by_label("Protective factors").fill("Close to her sister; engaged in group.")
        page.get_by_label("Recent thoughts and behaviour").fill("Passive thoughts; no plan.")
        page.get_by_label("No access known after asking").check()
        page.get_by_label("Moderate", exact=True).check()
        page.get_by_label("Risk formulation").fill("Moderate risk: strong supports, no plan.")
        page.get_by_label("Safety plan made or updated; continue in the program").check()
        page.get_by_role("button", name="Sign the assessment").click()
        page.get_by_text("Assessment signed.").wait_for()
        self.assert_accessible()
        self.shot("04-assessment-signed")
        assessment = SafetyAssessment.objects.get(participant=self.pat)
        self.assertEqual(assessment.alert_id, alert.pk)
        self.assertIsNotNone(assessment.signed_at)

        # The safety plan, written from the alert: steps 1, 2 and 5 need a line to sign.
        page.get_by_role("link", name="Back to the alert").click()
        page.get_by_role("button", name="Write the safety plan").click()
        page.get_by_role("heading", name=re.compile(r"Safety plan: .*\(draft\)")).wait_for()
        page.get_by_label("What matters most to me", exact=False).fill(
            "Teaching my nephew to swim this summer"
        )
        page.get_by_role("button", name="Add a line to step 1").click()
        page.get_by_label("Step 1, line 1").fill("Lying awake past 2 a.m.")
        page.get_by_role("button", name="Add a line to step 2").click()
        page.get_by_label("Step 2, line 1").fill("Cold water on my face, then a walk")
        # Each button saves the whole draft: what was typed before is still there.
        step_one = page.get_by_label("Step 1, line 1").input_value()
        self.assertEqual(step_one, "Lying awake past 2 a.m.")
        page.get_by_role("button", name="Sign and put in use").click()
        page.get_by_text("Safety plan version 1 signed and in use.").wait_for()
        plan = SafetyPlan.objects.get(participant=self.pat, status=SafetyPlan.Status.ACTIVE)
        self.assertEqual(plan.alert_id, alert.pk)
        page.get_by_role("region", name="Safety plan").get_by_role(
            "link", name="Open the safety plan"
        ).wait_for()
        # The plan's review form now sits beside the acknowledgement form: each label must
        # still name its own field.
        self.assertEqual(page.evaluate(DUPLICATE_IDS), [])
        self.assert_accessible()
        self.shot("05-safety-plan-signed")

        # Acknowledged with what was done and a note.
        page.get_by_label("Completed a suicide-risk assessment").check()
        page.get_by_label("Documentation").fill(
            "Assessed by phone: moderate risk; safety plan written with Pat; follow-up Monday."
        )
        page.get_by_role("button", name="Acknowledge the alert").click()
        page.get_by_text("Alert acknowledged.").wait_for()
        alert.refresh_from_db()
        self.assertFalse(alert.is_open)
        self.assertEqual(alert.acknowledged_by, self.chen)

        kinds = list(AlertEvent.objects.filter(alert=alert).values_list("kind", flat=True))
        for kind in (
            AlertEvent.Kind.RAISED,
            AlertEvent.Kind.OWNER_SET,
            AlertEvent.Kind.NOTIFIED,
            AlertEvent.Kind.EMERGENCY_ACCESS,
            AlertEvent.Kind.ASSESSMENT_STARTED,
            AlertEvent.Kind.ASSESSMENT_SIGNED,
            AlertEvent.Kind.SAFETY_PLAN,
            AlertEvent.Kind.ACKNOWLEDGED,
        ):
            self.assertIn(kind, kinds)
        self.assertEqual(kinds.count(AlertEvent.Kind.NOTIFIED), 2)  # a text and an email
        timeline = page.get_by_role("region", name="Escalation and timeline")
        timeline.wait_for()
        text = timeline.inner_text()
        for line in (
            "Notification handed to the provider · Owner · text message · to",
            "Notification handed to the provider · Owner · email · to",
            "Brief safety assessment signed",
            "Safety plan written or reviewed",
        ):
            self.assertIn(line, text)

    def pat_reads_her_plan_offline(self) -> None:
        """4. Pat opens her plan from the menu on her phone, then reads it with no network."""
        page = self.page
        page.goto(self.url("/"))
        page.get_by_role("link", name="My safety plan").click()
        page.get_by_role("heading", name="My safety plan", exact=True).wait_for()
        page.get_by_text("Cold water on my face, then a walk").wait_for()
        # The worker has stored the page (and its stylesheets and scripts) once it is active
        # and has been asked to.
        self.assertTrue(page.evaluate(PLAN_STORED_OFFLINE), "the plan was not stored offline")
        # The worker controls the page and is activated before the network goes.
        page.wait_for_function(WORKER_IN_CONTROL, polling=200, timeout=10_000)
        self.context.set_offline(True)
        page.reload()
        page.get_by_text("Cold water on my face, then a walk").wait_for()
        page.get_by_text("Teaching my nephew to swim this summer").wait_for()
        page.get_by_text("You are offline").wait_for()
        self.assert_accessible()
        self.shot("06-plan-offline")
        self.context.set_offline(False)
