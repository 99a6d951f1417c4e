"""The reminders' sweep: a claim a dead worker left is sent once, later, with the same key;
a job that died before it claimed runs again from its plan."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import time_machine
from django.core import mail
from django.core.management import call_command

from openiop.audit.models import AuditEvent
from openiop.notifications.sms import locmem
from openiop.scheduling import actions, reminders
from openiop.scheduling.models import Booking, PlannedReminder, ReminderClaim, Session
from openiop.scheduling.tests.test_reminders import (
    DAY_BEFORE,
    SESSION_START,
    ReminderSetup,
    WorkerKilled,
)


class ReminderSweepTestCase(ReminderSetup):
    def kill_mid_text(self):
        """The job claims both channels, then its worker dies while the provider has the text."""
        with (
            mock.patch("openiop.scheduling.reminders.send_sms", side_effect=WorkerKilled),
            self.assertRaises(WorkerKilled),
        ):
            self.run_job()
        self.assertEqual(
            sorted(ReminderClaim.objects.values_list("channel", "status")),
            [("email", "claimed"), ("sms", "claimed")],
        )

    def sweep(self, after: timedelta) -> int:
        with time_machine.travel(DAY_BEFORE + after, tick=False):
            return reminders.redeliver_stale()

    def test_the_sweep_sends_what_a_dead_worker_claimed_once_with_the_same_key(self):
        self.kill_mid_text()
        self.assertEqual(self.sweep(timedelta(minutes=1)), 0)  # maybe still in flight
        self.assertEqual(self.sweep(timedelta(minutes=3)), 2)
        self.assertEqual(self.sweep(timedelta(minutes=4)), 0)
        self.assertEqual(self.run_job(at=DAY_BEFORE + timedelta(minutes=5)), 0)

        sms = ReminderClaim.objects.get(channel="sms")
        self.assertEqual([m.idempotency_key for m in locmem.outbox], [str(sms.code)])
        self.assertEqual(
            locmem.outbox[0].body,
            "Reminder: you have a session on Wed 4 Mar, 6:00 PM EST. Sign in to join.",
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(set(ReminderClaim.objects.values_list("status", flat=True)), {"sent"})
        events = AuditEvent.objects.filter(event_type="scheduling.reminder_sent")
        self.assertEqual(events.count(), 2)
        self.assertEqual({e.details.get("source") for e in events}, {"sweep"})

    def test_a_claim_sent_meanwhile_is_not_sent_again(self):
        self.kill_mid_text()
        self.run_job(at=DAY_BEFORE + timedelta(minutes=1))  # the job ran again on its own
        self.assertEqual(self.sweep(timedelta(minutes=3)), 0)
        self.assertEqual(len(locmem.calls), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_nothing_is_sent_for_a_session_that_began_moved_or_lost_its_booking(self):
        self.kill_mid_text()
        with time_machine.travel(SESSION_START + timedelta(minutes=1), tick=False):
            self.assertEqual(reminders.redeliver_stale(), 0)

        Session.objects.filter(pk=self.booking.session_id).update(
            starts_at=SESSION_START + timedelta(hours=1), ends_at=SESSION_START + timedelta(hours=4)
        )
        self.assertEqual(self.sweep(timedelta(minutes=3)), 0)
        Session.objects.filter(pk=self.booking.session_id).update(
            starts_at=SESSION_START, ends_at=SESSION_START + timedelta(hours=3)
        )
        Booking.objects.filter(pk=self.booking.pk).update(status=Booking.Status.RELEASED)
        self.assertEqual(self.sweep(timedelta(minutes=3)), 0)
        self.assertEqual(locmem.calls, [])
        self.assertEqual(mail.outbox, [])

    def test_a_cancellation_notice_left_claimed_is_sent_by_the_sweep(self):
        session = self.booking.session
        with (
            time_machine.travel(DAY_BEFORE, tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            actions.cancel_session(session, reason="other", acting_user=self.dana)
        with (
            time_machine.travel(DAY_BEFORE, tick=False),
            mock.patch("openiop.scheduling.reminders.send_sms", side_effect=WorkerKilled),
            self.assertRaises(WorkerKilled),
        ):
            reminders.send_cancellation_notice(self.booking.pk, SESSION_START.isoformat())
        self.assertEqual(self.sweep(timedelta(minutes=3)), 2)
        self.assertEqual([m.body[:17] for m in locmem.outbox], ["Your session on W"])
        self.assertEqual(mail.outbox[0].subject, "Session cancelled")

    def test_the_command_runs_the_sweep(self):
        self.kill_mid_text()
        out = StringIO()
        with time_machine.travel(DAY_BEFORE + timedelta(minutes=3), tick=False):
            call_command("resend_stale_reminders", stdout=out)
        self.assertEqual(out.getvalue().strip(), "Re-sent 2 reminder(s).")


class OverdueSweepTestCase(ReminderSetup):
    """A worker killed after taking a job and before writing its claims leaves no claim: the
    state is the plan alone, not handled, exactly as if the job had never run."""

    def plan(self, kind="day_before") -> PlannedReminder:
        return PlannedReminder.objects.get(
            booking=self.booking, kind=kind, session_starts_at=SESSION_START
        )

    def overdue(self, after: timedelta) -> int:
        with time_machine.travel(DAY_BEFORE + after, tick=False):
            return reminders.send_overdue()

    def test_admission_plans_each_reminder_with_its_booking(self):
        self.assertEqual(self.plan().due_at, DAY_BEFORE)
        self.assertEqual(self.plan("hour_before").due_at, SESSION_START - timedelta(hours=1))
        self.assertIsNone(self.plan().handled_at)

    def test_a_job_lost_before_it_claimed_is_run_again_once_by_the_sweep(self):
        self.assertEqual(self.overdue(timedelta(minutes=1)), 0)  # maybe still in the queue
        self.assertEqual(self.overdue(timedelta(minutes=3)), 2)
        self.assertEqual(self.overdue(timedelta(minutes=4)), 0)
        # The lost job's twin, late in a long queue, finds the claims and sends nothing.
        self.assertEqual(self.run_job(at=DAY_BEFORE + timedelta(minutes=5)), 0)

        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(
            locmem.outbox[0].idempotency_key, str(ReminderClaim.objects.get(channel="sms").code)
        )
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(self.plan().handled_at, DAY_BEFORE + timedelta(minutes=3))
        events = AuditEvent.objects.filter(event_type="scheduling.reminder_sent")
        self.assertEqual({e.details.get("source") for e in events}, {"sweep"})

    def test_a_job_that_ran_is_not_run_again(self):
        self.assertEqual(self.run_job(), 2)
        self.assertEqual(self.plan().handled_at, DAY_BEFORE)
        self.assertEqual(self.overdue(timedelta(minutes=3)), 0)
        self.assertEqual(len(locmem.calls), 1)

    def test_a_plan_whose_booking_was_released_or_session_moved_sends_nothing(self):
        Booking.objects.filter(pk=self.booking.pk).update(status=Booking.Status.RELEASED)
        self.assertEqual(self.overdue(timedelta(minutes=3)), 0)
        self.assertEqual(self.plan().handled_at, DAY_BEFORE + timedelta(minutes=3))
        self.assertEqual(self.plan("hour_before").handled_at, None)  # not due yet

        Booking.objects.filter(pk=self.booking.pk).update(status=Booking.Status.BOOKED)
        Session.objects.filter(pk=self.booking.session_id).update(
            starts_at=SESSION_START + timedelta(hours=1), ends_at=SESSION_START + timedelta(hours=4)
        )
        with time_machine.travel(SESSION_START - timedelta(minutes=50), tick=False):
            self.assertEqual(reminders.send_overdue(), 0)  # the old start's 1 h plan
        self.assertIsNotNone(self.plan("hour_before").handled_at)
        self.assertEqual(locmem.calls, [])
        self.assertEqual(mail.outbox, [])

    def test_a_plan_is_not_run_once_its_session_has_begun(self):
        with time_machine.travel(SESSION_START + timedelta(minutes=1), tick=False):
            self.assertEqual(reminders.send_overdue(), 0)
        self.assertIsNone(self.plan().handled_at)
        self.assertEqual(locmem.calls, [])

    def test_a_booking_made_after_a_reminder_was_due_plans_only_what_is_ahead(self):
        self.assertEqual(self.run_job(), 2)  # Pat's, on time
        later = SESSION_START - timedelta(hours=3)
        session = self.booking.session
        with time_machine.travel(later, tick=False), self.captureOnCommitCallbacks(execute=True):
            booking = Booking.objects.create(
                session=session, participant=self.quinn, source=Booking.Source.MAKEUP
            )
            reminders.schedule_reminders([booking], session_for={session.pk: session})
        plans = PlannedReminder.objects.filter(booking=booking)
        self.assertEqual(list(plans.values_list("kind", flat=True)), ["hour_before"])
        # Its day-before reminder, due before it was booked, is never sent by the sweep.
        with time_machine.travel(later + timedelta(minutes=3), tick=False):
            self.assertEqual(reminders.send_overdue(), 0)
        self.assertFalse(ReminderClaim.objects.filter(booking=booking).exists())

    def test_a_cancellation_notice_lost_before_it_claimed_is_sent_by_the_sweep(self):
        with (
            time_machine.travel(DAY_BEFORE, tick=False),
            self.captureOnCommitCallbacks(execute=False),  # the jobs are lost with the worker
        ):
            actions.cancel_session(self.booking.session, reason="other", acting_user=self.dana)
        self.assertEqual(self.overdue(timedelta(minutes=3)), 2)
        self.assertEqual([m.body[:17] for m in locmem.outbox], ["Your session on W"])
        self.assertEqual(mail.outbox[0].subject, "Session cancelled")
        # The reminders of a cancelled session are closed, not sent.
        self.assertEqual(self.overdue(timedelta(hours=23, minutes=3)), 0)
        self.assertEqual(len(locmem.outbox), 1)

    def test_the_command_runs_both_halves(self):
        out = StringIO()
        with time_machine.travel(DAY_BEFORE + timedelta(minutes=3), tick=False):
            call_command("resend_stale_reminders", stdout=out)
        self.assertEqual(out.getvalue().strip(), "Re-sent 2 reminder(s).")
