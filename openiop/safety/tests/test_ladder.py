"""The escalation ladder: owner, deadline by acuity, a climb per missed deadline, each step's
notices sent exactly once per channel with no PHI, on the timeline and the task worker."""

import contextlib
from datetime import UTC, datetime, time, timedelta
from unittest import mock

import time_machine
from django.core import mail
from django_tasks import default_task_backend

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.notifications.sms import SmsError, locmem
from openiop.programs.models import ProgramMembership
from openiop.safety import actions, ladder, notices, sweep
from openiop.safety.models import (
    AlertEvent,
    EscalationNotice,
    LadderStep,
    OnCallShift,
    SafetyAlert,
    SafetyPolicy,
)
from openiop.safety.tests.assessment_helpers import sign_brief_assessment
from openiop.testing import BaseTestCase, Personas, TransactionalTestCase, make_user

# Monday 9 March 2026, 10:00 in New York (EDT): business hours.
MONDAY_10AM = datetime(2026, 3, 9, 14, tzinfo=UTC)
MONDAY_8PM = datetime(2026, 3, 10, 0, tzinfo=UTC)
PHONES = {
    "alvarez": "+15555550111",
    "chen": "+15555550122",
    "dana": "+15555550133",
    "morgan": "+15555550144",
}


class WorkerKilled(BaseException):
    """Stands in for a worker process dying: not an Exception, so nothing catches it."""


class LadderSetup:
    """Pat's alerts: Alvarez owns them, Chen is on call, Dana directs, Morgan is the backup."""

    morgan: User

    @classmethod
    def create_ladder_people(cls) -> None:
        cls.morgan = make_user(
            "morgan@example.org",
            "Morgan",
            "Medical",
            User.Role.PROGRAM_DIRECTOR,
            discipline=User.Discipline.PSYCHIATRIST,
            credentials="MD",
        )
        for name, phone in PHONES.items():
            User.objects.filter(email=f"{name}@example.org").update(mobile_phone=phone)
        SafetyPolicy.objects.create(program=cls.program, backup=cls.morgan)  # type: ignore[attr-defined]

    def reset_outboxes(self) -> None:
        locmem.reset()
        mail.outbox.clear()
        default_task_backend.clear()  # type: ignore[attr-defined]
        self.done: set[str] = set()

    def raise_emergency(self, at=MONDAY_10AM, rule="asq_acute_positive", **kwargs):
        with time_machine.travel(at, tick=False), self.on_commit():
            return actions.raise_alert(
                self.pat,  # type: ignore[attr-defined]
                kind=SafetyAlert.Kind.CRITICAL_ITEM,
                acting_user=self.pat.user,  # type: ignore[attr-defined]
                rule=rule,
                **kwargs,
            )

    def on_commit(self):
        return contextlib.nullcontext()

    def run_jobs(self, at):
        """Run, as the worker would at `at`, every queued job that is due (and the jobs those
        jobs queue), each once."""
        while True:
            due = [
                result
                for result in default_task_backend.results  # type: ignore[attr-defined]
                if result.id not in self.done
                and (result.task.run_after is None or result.task.run_after <= at)
            ]
            if not due:
                return
            for result in due:
                self.done.add(result.id)
                with time_machine.travel(at, tick=False), self.on_commit():
                    result.task.call(*result.args, **result.kwargs)

    def texts_to(self):
        return [message.to for message in locmem.outbox]


class LadderTestCase(LadderSetup, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_ladder_people()

    def setUp(self):
        super().setUp()
        self.reset_outboxes()

    def on_commit(self):
        return self.captureOnCommitCallbacks(execute=True)

    def assert_no_phi(self):
        alert_codes = [str(code) for code in SafetyAlert.objects.values_list("code", flat=True)]
        secrets = [
            "Patricia",
            "Lindqvist",
            "Pat ",
            "Quinn",
            "Adult Mental Health",
            "ASQ",
            "PHQ",
            str(self.pat.code),
            *alert_codes,
        ]
        bodies = [message.body for message in locmem.outbox]
        bodies += [message.subject + "\n" + message.body for message in mail.outbox]
        self.assertTrue(bodies)
        for body in bodies:
            for secret in secrets:
                self.assertNotIn(secret, body)
        for message in locmem.outbox:
            self.assertEqual(message.body, "OpenIOP: an urgent item needs you — sign in")

    def test_an_emergency_nobody_acknowledges_walks_every_step_once_per_channel(self):
        alert = self.raise_emergency()
        self.assertEqual(alert.owner, self.alvarez)
        self.assertEqual(alert.acknowledge_by, MONDAY_10AM + timedelta(minutes=5))
        expected = [
            (LadderStep.OWNER, self.alvarez),
            (LadderStep.ON_CALL, self.chen),
            (LadderStep.DIRECTOR, self.dana),
            (LadderStep.BACKUP, self.morgan),
        ]
        for minutes, (step, person) in zip(range(0, 20, 5), expected, strict=True):
            at = MONDAY_10AM + timedelta(minutes=minutes, seconds=1)
            self.run_jobs(at)
            self.run_jobs(at)  # a second worker pass, or a replayed job, sends nothing more
            alert.refresh_from_db()
            self.assertEqual((alert.ladder_step, alert.owner), (step, person))
            self.assertEqual(
                alert.acknowledge_by,
                at + timedelta(minutes=5) if minutes else (MONDAY_10AM + timedelta(minutes=5)),
            )
        self.assertEqual(self.texts_to(), [PHONES[name] for name in PHONES])
        self.assertEqual(
            [message.to for message in mail.outbox],
            [[p.email] for _, p in expected],
        )
        notices_ = list(EscalationNotice.objects.filter(alert=alert).order_by("id"))
        self.assertEqual(
            [(n.step, n.channel, n.recipient, n.status) for n in notices_],
            [
                (step, channel, person, "sent")
                for step, person in expected
                for channel in ("sms", "email")
            ],
        )
        self.assertEqual(len(locmem.calls), 4)
        self.assert_no_phi()
        kinds = list(alert.events.values_list("kind", "step", "recipient"))
        self.assertIn(("owner_set", 0, self.alvarez.pk), kinds)
        for step, person in expected[1:]:
            self.assertIn(("escalated", step, person.pk), kinds)
            self.assertIn(("notified", step, person.pk), kinds)
        self.assertEqual(AuditEvent.objects.filter(event_type="escalation.notice_sent").count(), 8)

    def test_at_the_top_the_director_and_backup_are_told_again_each_deadline(self):
        alert = self.raise_emergency()
        for minutes in range(0, 25, 5):
            self.run_jobs(MONDAY_10AM + timedelta(minutes=minutes, seconds=1))
        alert.refresh_from_db()
        self.assertEqual(alert.ladder_step, LadderStep.BACKUP)
        self.assertEqual(self.texts_to()[-2:], [PHONES["dana"], PHONES["morgan"]])
        self.assertEqual(len(locmem.outbox), 6)
        self.assertGreater(alert.acknowledge_by, MONDAY_10AM + timedelta(minutes=20))

    def test_acknowledgement_stops_the_ladder(self):
        alert = self.raise_emergency()
        self.run_jobs(MONDAY_10AM)
        with time_machine.travel(MONDAY_10AM + timedelta(minutes=2), tick=False), self.on_commit():
            sign_brief_assessment(alert, acting_user=self.alvarez)
            actions.acknowledge_alert(
                alert, action="contacted", note="Called; safe at home.", acting_user=self.alvarez
            )
        for minutes in range(5, 60, 5):
            self.run_jobs(MONDAY_10AM + timedelta(minutes=minutes))
            with time_machine.travel(MONDAY_10AM + timedelta(minutes=minutes), tick=False):
                self.assertEqual(sweep.run(), {"escalated": 0, "redelivered": 0})
        alert.refresh_from_db()
        self.assertEqual(alert.ladder_step, LadderStep.OWNER)
        self.assertEqual(self.texts_to(), [PHONES["alvarez"]])
        self.assertEqual(len(mail.outbox), 1)

    def test_queued_notices_of_an_acknowledged_alert_send_nothing(self):
        alert = self.raise_emergency()
        with time_machine.travel(MONDAY_10AM, tick=False), self.on_commit():
            sign_brief_assessment(alert, acting_user=self.alvarez)
            actions.acknowledge_alert(
                alert, action="contacted", note="Seen in clinic.", acting_user=self.alvarez
            )
        self.run_jobs(MONDAY_10AM + timedelta(hours=1))
        with time_machine.travel(MONDAY_10AM + timedelta(hours=1), tick=False):
            sweep.run()
        self.assertEqual(locmem.calls, [])
        self.assertEqual(mail.outbox, [])
        self.assertFalse(EscalationNotice.objects.filter(status="sent").exists())

    def test_sms_provider_down_email_still_goes_failure_on_timeline_and_retried(self):
        with mock.patch(
            "openiop.safety.notices.send_sms", side_effect=SmsError("provider unreachable")
        ):
            alert = self.raise_emergency()
            self.run_jobs(MONDAY_10AM)
        self.assertEqual([m.to for m in mail.outbox], [[self.alvarez.email]])
        sms = EscalationNotice.objects.get(alert=alert, channel="sms")
        self.assertEqual((sms.status, sms.attempts), ("failed", 1))
        failed = alert.events.get(kind=AlertEvent.Kind.NOTIFY_FAILED)
        self.assertEqual((failed.channel, failed.recipient), ("sms", self.alvarez))
        self.assertNotIn("unreachable", failed.detail)  # the provider's own words stay out
        # The retry is queued 30 s later and succeeds once the provider is back.
        self.run_jobs(MONDAY_10AM + timedelta(seconds=31))
        sms.refresh_from_db()
        self.assertEqual((sms.status, sms.attempts), ("sent", 2))
        self.assertEqual(self.texts_to(), [PHONES["alvarez"]])
        self.assertEqual(len(mail.outbox), 1)
        self.assertTrue(alert.events.filter(kind="notified", channel="sms").exists())

    def test_a_lost_retry_is_picked_up_by_the_sweep(self):
        with mock.patch("openiop.safety.notices.send_sms", side_effect=SmsError("down")):
            alert = self.raise_emergency()
            self.run_jobs(MONDAY_10AM)
        default_task_backend.clear()  # type: ignore[attr-defined]
        with time_machine.travel(MONDAY_10AM + timedelta(minutes=3), tick=False):
            self.assertEqual(sweep.run(), {"escalated": 0, "redelivered": 1})
        self.assertEqual(self.texts_to(), [PHONES["alvarez"]])
        self.assertEqual(alert.notices.get(channel="sms").status, "sent")

    def test_a_lost_deadline_job_is_picked_up_by_the_sweep(self):
        alert = self.raise_emergency()
        self.run_jobs(MONDAY_10AM)
        default_task_backend.clear()  # type: ignore[attr-defined]
        with time_machine.travel(MONDAY_10AM + timedelta(minutes=6), tick=False), self.on_commit():
            self.assertEqual(sweep.run()["escalated"], 1)
        alert.refresh_from_db()
        self.assertEqual((alert.ladder_step, alert.owner), (LadderStep.ON_CALL, self.chen))

    def test_owner_deactivated_mid_ladder_climbs_at_once(self):
        alert = self.raise_emergency()
        self.run_jobs(MONDAY_10AM)
        User.objects.filter(pk=self.alvarez.pk).update(is_active=False)
        at = MONDAY_10AM + timedelta(minutes=1)
        with time_machine.travel(at, tick=False), self.on_commit():
            self.assertEqual(sweep.run()["escalated"], 1)
        alert.refresh_from_db()
        self.assertEqual((alert.ladder_step, alert.owner), (LadderStep.ON_CALL, self.chen))
        self.assertEqual(alert.acknowledge_by, at + timedelta(minutes=5))
        event = alert.events.get(kind=AlertEvent.Kind.ESCALATED)
        self.assertIn("deactivated", event.detail)
        self.run_jobs(at)
        self.assertEqual(self.texts_to(), [PHONES["alvarez"], PHONES["chen"]])

    def test_a_step_with_nobody_is_logged_and_skipped(self):
        ProgramMembership.objects.filter(role=ProgramMembership.Role.ON_CALL).delete()
        alert = self.raise_emergency()
        self.run_jobs(MONDAY_10AM + timedelta(minutes=5))
        alert.refresh_from_db()
        self.assertEqual((alert.ladder_step, alert.owner), (LadderStep.DIRECTOR, self.dana))
        skipped = alert.events.get(kind=AlertEvent.Kind.NO_RECIPIENT)
        self.assertEqual(skipped.step, LadderStep.ON_CALL)

    def test_after_hours_alerts_go_to_whoever_is_on_call(self):
        alert = self.raise_emergency(at=MONDAY_8PM)
        self.assertEqual(alert.owner, self.chen)
        self.assertEqual(alert.events.get(kind="owner_set").detail, "On call now")
        # The on-call step would be Chen again: skipped, straight to the director.
        self.run_jobs(MONDAY_8PM + timedelta(minutes=5))
        alert.refresh_from_db()
        self.assertEqual((alert.ladder_step, alert.owner), (LadderStep.DIRECTOR, self.dana))

    def test_the_rota_decides_who_is_on_call(self):
        # Monday evenings belong to Alvarez... who cannot be Pat's on-call step: she owns the
        # alert in the day. Quinn's alert after hours goes to the rota's person.
        OnCallShift.objects.create(
            program=self.program,
            clinician=self.alvarez,
            weekday=1,
            starts_at=time(17),
            ends_at=time(9),
        )
        with time_machine.travel(MONDAY_8PM, tick=False), self.on_commit():
            alert = actions.raise_alert(
                self.quinn,
                kind=SafetyAlert.Kind.CRITICAL_ITEM,
                acting_user=self.quinn_user,
                rule="asq_acute_positive",
            )
        self.assertEqual(alert.owner, self.alvarez)

    def test_without_clinician_or_on_call_the_director_owns_the_alert(self):
        ProgramMembership.objects.filter(role=ProgramMembership.Role.ON_CALL).delete()
        User.objects.filter(pk=self.alvarez.pk).update(is_active=False)
        alert = self.raise_emergency()
        self.assertEqual(alert.owner, self.dana)

    def test_a_raised_acuity_shortens_the_deadline_and_tells_the_holder_again(self):
        alert = self.raise_emergency(rule="phq9_item9_low")
        self.assertEqual(
            alert.acknowledge_by, datetime(2026, 3, 10, 17, tzinfo=UTC) + timedelta(hours=4)
        )
        self.run_jobs(MONDAY_10AM)
        later = MONDAY_10AM + timedelta(minutes=10)
        alert = self.raise_emergency(at=later)
        alert.refresh_from_db()
        self.assertEqual(alert.acknowledge_by, later + timedelta(minutes=5))
        self.run_jobs(later)
        self.assertEqual(self.texts_to(), [PHONES["alvarez"], PHONES["alvarez"]])

    def test_a_program_policy_sets_the_deadlines(self):
        SafetyPolicy.objects.filter(program=self.program).update(emergency_minutes=2)
        alert = self.raise_emergency()
        self.assertEqual(alert.acknowledge_by, MONDAY_10AM + timedelta(minutes=2))


class LadderDaylightSavingTestCase(LadderSetup, BaseTestCase):
    """A deadline that falls in a DST change is well defined (docs/safety.md)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_ladder_people()
        SafetyPolicy.objects.filter(program=cls.program).update(business_days=[1, 2, 3, 4, 5, 6, 7])

    def setUp(self):
        super().setUp()
        self.reset_outboxes()

    def on_commit(self):
        return self.captureOnCommitCallbacks(execute=True)

    def test_an_elevated_deadline_in_the_spring_gap_is_the_change_itself(self):
        SafetyPolicy.objects.filter(program=self.program).update(business_day_ends_at=time(2, 30))
        alert = self.raise_emergency(
            at=datetime(2027, 3, 13, 17, tzinfo=UTC), rule="phq9_item9_low"
        )
        self.assertEqual(alert.acknowledge_by, datetime(2027, 3, 14, 7, tzinfo=UTC))
        job = next(
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == "check_deadline"
        )
        self.assertEqual(job.task.run_after, alert.acknowledge_by)

    def test_an_elevated_deadline_that_happens_twice_is_the_first_one(self):
        SafetyPolicy.objects.filter(program=self.program).update(business_day_ends_at=time(1, 30))
        alert = self.raise_emergency(
            at=datetime(2026, 10, 31, 16, tzinfo=UTC), rule="phq9_item9_low"
        )
        self.assertEqual(alert.acknowledge_by, datetime(2026, 11, 1, 5, 30, tzinfo=UTC))

    def test_an_emergency_across_spring_forward_gets_five_real_minutes(self):
        # 01:58 EST on 14 March 2027 is 06:58 UTC; the deadline reads 03:03 EDT.
        alert = self.raise_emergency(at=datetime(2027, 3, 14, 6, 58, tzinfo=UTC))
        self.assertEqual(alert.acknowledge_by, datetime(2027, 3, 14, 7, 3, tzinfo=UTC))
        self.run_jobs(datetime(2027, 3, 14, 7, 3, tzinfo=UTC))
        alert.refresh_from_db()
        # Before 09:00 the on-call clinician owned it, so the next step is the director.
        self.assertEqual((alert.ladder_step, alert.owner), (LadderStep.DIRECTOR, self.dana))


class KilledWorkerTestCase(LadderSetup, Personas, TransactionalTestCase):
    """Real commits: the claim is committed before the provider is called."""

    def setUp(self):
        super().setUp()
        self.create_personas()
        self.create_ladder_people()
        self.reset_outboxes()

    def test_a_worker_killed_after_the_claim_committed_sends_once_on_restart(self):
        alert = self.raise_emergency()
        with (
            mock.patch("openiop.safety.notices.send_sms", side_effect=WorkerKilled),
            self.assertRaises(WorkerKilled),
        ):
            self.run_jobs(MONDAY_10AM)
        claim = EscalationNotice.objects.get(alert=alert, channel="sms")
        self.assertEqual((claim.status, claim.attempts), ("claimed", 0))
        self.assertEqual(locmem.outbox, [])
        self.done.clear()  # the worker restarts and runs the job again
        self.run_jobs(MONDAY_10AM)
        self.run_jobs(MONDAY_10AM)
        self.assertEqual(self.texts_to(), [PHONES["alvarez"]])
        self.assertEqual(locmem.outbox[0].idempotency_key, str(claim.code))
        self.assertEqual(len(mail.outbox), 1)

    def test_a_worker_killed_after_the_provider_accepted_sends_no_duplicate(self):
        alert = self.raise_emergency()
        original = notices.send_sms

        def send_then_die(*args, **kwargs):
            original(*args, **kwargs)
            raise WorkerKilled

        with (
            mock.patch("openiop.safety.notices.send_sms", side_effect=send_then_die),
            self.assertRaises(WorkerKilled),
        ):
            self.run_jobs(MONDAY_10AM)
        self.assertEqual(EscalationNotice.objects.get(channel="sms").status, "claimed")
        # Restarted: the sweep finds the open claim and hands the same key to the provider.
        with time_machine.travel(MONDAY_10AM + timedelta(minutes=3), tick=False):
            sweep.run()
        self.assertEqual(len(locmem.calls), 2)
        self.assertEqual(self.texts_to(), [PHONES["alvarez"]])
        self.assertEqual(EscalationNotice.objects.get(channel="sms").status, "sent")
        self.assertEqual(alert.notices.count(), 2)

    def test_a_deadline_job_and_the_sweep_at_once_climb_one_step(self):
        alert = self.raise_emergency()
        at = MONDAY_10AM + timedelta(minutes=5)
        self.assertTrue(ladder.escalate_if_due(alert.pk, now=at))
        self.assertFalse(ladder.escalate_if_due(alert.pk, now=at))
        with time_machine.travel(at, tick=False):
            self.assertEqual(sweep.run(now=at)["escalated"], 0)
        alert.refresh_from_db()
        self.assertEqual(alert.ladder_step, LadderStep.ON_CALL)


class TimelinePanelTestCase(LadderSetup, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_ladder_people()

    def setUp(self):
        super().setUp()
        self.reset_outboxes()

    def on_commit(self):
        return self.captureOnCommitCallbacks(execute=True)

    def test_the_alert_page_shows_holder_step_deadline_and_failures_in_the_viewers_zone(self):
        with mock.patch("openiop.safety.notices.send_sms", side_effect=SmsError("down")):
            alert = self.raise_emergency()
            self.run_jobs(MONDAY_10AM + timedelta(seconds=5))
        self.login(self.alvarez)
        with time_machine.travel(MONDAY_10AM + timedelta(minutes=1), tick=False):
            response = self.client.get(alert.get_absolute_url())
        self.assertContains(response, "Escalation and timeline")
        self.assertContains(response, "<dt>Held by</dt>", html=False)
        self.assertContains(response, "Rosa Alvarez")
        self.assertContains(response, "10:05 AM EDT")
        self.assertContains(response, "<strong>Notification failed; will retry</strong>")
        self.assertContains(response, "Notification handed to the provider")
        self.assertNotContains(response, "overdue")
