from datetime import UTC, date, datetime

import time_machine
from django.core import mail
from django_tasks import default_task_backend

from openiop.audit.models import AuditEvent
from openiop.discharge import actions, notices, tasks
from openiop.discharge.models import DischargeSummary
from openiop.discharge.tests.base import (
    DISCHARGE_DAY,
    DURING_GROUP,
    DischargeTestCase,
)
from openiop.intake.models import EpisodeOfCare
from openiop.lib.integrity import content_hash
from openiop.notes.models import Note
from openiop.notifications.sms import locmem
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Booking, Enrollment, Session
from openiop.telehealth.models import Room


class DraftTestCase(DischargeTestCase):
    def test_a_draft_starts_from_the_record(self):
        summary = self.start()
        self.assertEqual(summary.status, DischargeSummary.Status.DRAFT)
        self.assertEqual(summary.admitted_on, date(2026, 1, 2))
        self.assertEqual(summary.discharged_on, date(2026, 1, 20))
        # Group: 180 + 150 minutes in 2 sessions (the absence counts apart); individual: 50.
        self.assertEqual(
            summary.services["kinds"],
            [
                {"kind": "group", "label": "Group sessions", "sessions": 2, "minutes": 330},
                {
                    "kind": "individual",
                    "label": "Individual sessions",
                    "sessions": 1,
                    "minutes": 50,
                },
            ],
        )
        self.assertEqual(summary.services["total_minutes"], 380)
        self.assertEqual(str(summary.total_hours), "6.3")
        self.assertEqual(summary.services["absent"], 1)
        # Mon 12, Wed 14, Thu 15 and Mon 19 (ended by Tuesday) have no attendance yet.
        self.assertEqual(summary.services["unrecorded"], 4)
        [phq9] = summary.scores
        self.assertEqual(
            {k: phq9[k] for k in ("instrument", "first", "last", "change", "count")},
            {"instrument": "phq-9", "first": 16, "last": 8, "change": -8, "count": 2},
        )
        self.assertEqual((phq9["first_on"], phq9["last_on"]), ("2026-01-02", "2026-01-19"))
        self.assertEqual(phq9["first_band"], "Moderately severe")
        self.assertEqual(
            summary.diagnoses,
            [
                {
                    "icd10_code": "F33.1",
                    "description": "Major depressive disorder, recurrent, moderate",
                    "rank": "Primary",
                    "status": "Active",
                }
            ],
        )
        self.assertEqual(
            summary.medications, "Sertraline — 100 mg by mouth daily (prescribed by Dr. Wei Chen)"
        )
        event = AuditEvent.objects.get(event_type="discharge.draft_started")
        self.assertEqual(event.details["summary"], str(summary.code))

    def test_starting_again_returns_the_same_draft(self):
        first = self.start()
        with time_machine.travel(DISCHARGE_DAY, tick=False):
            again, created = actions.start_discharge(self.pat, acting_user=self.dana)
        self.assertFalse(created)
        self.assertEqual(again.pk, first.pk)

    def test_a_participant_without_an_episode_cannot_be_discharged(self):
        with self.assertRaisesMessage(actions.DischargeError, "no active episode of care"):
            actions.start_discharge(self.quinn, acting_user=self.chen)

    def test_a_stale_save_changes_nothing(self):
        summary = self.start()
        loaded_version = summary.edit_version
        actions.save_draft(
            summary,
            fields={"course": "First editor's text"},
            aftercare=[],
            expected_version=loaded_version,
            acting_user=self.alvarez,
        )
        with self.assertRaises(actions.StaleDraft):
            actions.save_draft(
                summary,
                fields={"course": "Second editor's text"},
                aftercare=[],
                expected_version=loaded_version,
                acting_user=self.dana,
            )
        summary.refresh_from_db()
        self.assertEqual(summary.course, "First editor's text")
        self.assertEqual(summary.edit_version, loaded_version + 1)

    def test_refreshing_recomputes_but_keeps_typed_text(self):
        summary = self.start()
        actions.save_draft(
            summary,
            fields={"medications": "Sertraline 150 mg (dose raised today)"},
            aftercare=[],
            expected_version=summary.edit_version,
            acting_user=self.alvarez,
        )
        booking = (
            Booking.objects.filter(participant=self.pat, attendance="")
            .filter(session__kind=Session.Kind.GROUP, session__starts_at__lt=DISCHARGE_DAY)
            .order_by("session__starts_at")
            .first()
        )
        assert booking is not None
        with time_machine.travel(DISCHARGE_DAY, tick=False):
            scheduling.record_attendance(
                booking, attendance="present", minutes=None, acting_user=self.alvarez
            )
            actions.refresh_computed(summary, acting_user=self.alvarez)
        summary.refresh_from_db()
        self.assertEqual(summary.services["total_minutes"], 560)
        self.assertEqual(summary.medications, "Sertraline 150 mg (dose raised today)")


class SignTestCase(DischargeTestCase):
    def test_signing_ends_the_episode_enrollments_and_upcoming_sessions(self):
        summary = self.start()
        self.complete(summary)
        future_group = Booking.objects.filter(
            participant=self.pat,
            session__kind=Session.Kind.GROUP,
            session__starts_at__gt=DISCHARGE_DAY,
        )
        past_group = Booking.objects.filter(
            participant=self.pat, session__starts_at__lt=DISCHARGE_DAY
        )
        self.assertTrue(future_group.exists())
        past_before = list(past_group.values_list("pk", "status", "attendance"))
        summary = self.sign(summary)

        episode = EpisodeOfCare.objects.get(pk=self.episode.pk)
        self.assertEqual(episode.status, EpisodeOfCare.Status.FINISHED)
        self.assertEqual(episode.ended_at, DISCHARGE_DAY)
        self.assertEqual(episode.end_reason, "stepped_down")
        self.enrollment.refresh_from_db()
        self.assertEqual(self.enrollment.status, Enrollment.Status.ENDED)
        self.assertFalse(future_group.filter(status=Booking.Status.BOOKED).exists())
        self.future_appointment.refresh_from_db()
        self.assertEqual(self.future_appointment.status, Session.Status.CANCELLED)
        self.assertEqual(self.future_appointment.cancel_reason, "discharged")
        # The stay's record stays as it was.
        self.assertEqual(list(past_group.values_list("pk", "status", "attendance")), past_before)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.discharged_at, DISCHARGE_DAY)

        self.assertEqual(summary.status, DischargeSummary.Status.SIGNED)
        self.assertEqual(summary.signed_by, self.alvarez)
        self.assertEqual(summary.content_hash, content_hash(summary.signed_content()))
        event = AuditEvent.objects.get(event_type="discharge.signed")
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.details["enrollments_ended"], 1)
        self.assertEqual(event.details["sessions_cancelled"], 1)
        # Mon/Wed/Thu for the rest of the 8 weeks after Tue 20 Jan, plus the appointment.
        self.assertEqual(event.details["bookings_released"], future_group.count() + 1)
        self.assertEqual(
            AuditEvent.objects.filter(event_type="scheduling.enrollment_ended").count(), 1
        )

    def test_the_freed_seat_goes_to_the_first_person_on_the_waitlist(self):
        first, second = self.fill_group()
        self.assertEqual(first.status, Enrollment.Status.WAITLISTED)
        summary = self.start()
        self.complete(summary)
        self.sign(summary)
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual(first.status, Enrollment.Status.SEATED)
        self.assertEqual(second.status, Enrollment.Status.WAITLISTED)
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 3)
        # The seat comes with the sessions still ahead.
        self.assertTrue(
            Booking.objects.filter(
                enrollment=first, status="booked", session__starts_at__gt=DISCHARGE_DAY
            ).exists()
        )

    def test_a_place_on_another_waitlist_is_withdrawn(self):
        self.group_b.capacity = 1
        self.group_b.save()
        with time_machine.travel(datetime(2026, 1, 2, 16, tzinfo=UTC), tick=False):
            scheduling.admit(
                self.quinn, self.group_b, starts_on=date(2026, 1, 6), acting_user=self.dana
            )
            waiting = scheduling.admit(
                self.pat, self.group_b, starts_on=date(2026, 1, 6), acting_user=self.dana
            )
        summary = self.start()
        self.complete(summary)
        self.sign(summary)
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Enrollment.Status.WITHDRAWN)

    def test_signing_twice_is_refused(self):
        summary = self.start()
        self.complete(summary)
        self.sign(summary)
        with self.assertRaisesMessage(actions.DischargeError, "signed already"):
            self.sign(summary)
        self.assertEqual(AuditEvent.objects.filter(event_type="discharge.signed").count(), 1)

    def test_a_signed_summary_cannot_be_edited(self):
        summary = self.start()
        self.complete(summary)
        self.sign(summary)
        with self.assertRaisesMessage(actions.DischargeError, "can no longer be changed"):
            actions.save_draft(
                summary,
                fields={"course": "Later text"},
                aftercare=[],
                expected_version=summary.edit_version,
                acting_user=self.alvarez,
            )

    def test_signing_needs_the_reason_the_safety_plan_and_what_comes_next(self):
        summary = self.start()
        with self.assertRaises(actions.DischargeError) as refused:
            self.sign(summary)
        message = str(refused.exception)
        self.assertIn("reason for discharge", message)
        self.assertIn("safety plan", message)
        self.assertIn("what comes next", message)
        self.assertEqual(EpisodeOfCare.objects.get(pk=self.episode.pk).status, "active")

    def test_signing_is_refused_while_a_session_is_under_way(self):
        summary = self.start(at=DURING_GROUP)
        self.complete(summary, at=DURING_GROUP, day=date(2026, 1, 19))
        with self.assertRaisesMessage(actions.DischargeError, "under way"):
            self.sign(summary, at=DURING_GROUP)
        self.enrollment.refresh_from_db()
        self.assertEqual(self.enrollment.status, Enrollment.Status.SEATED)
        self.pat.refresh_from_db()
        self.assertIsNone(self.pat.discharged_at)

    def test_signing_is_refused_while_a_note_is_unsigned(self):
        summary = self.start()
        self.complete(summary)
        Note.objects.create(participant=self.pat, kind=Note.Kind.INDIVIDUAL, author=self.alvarez)
        with self.assertRaisesMessage(actions.DischargeError, "1 unsigned note"):
            self.sign(summary)
        self.pat.refresh_from_db()
        self.assertIsNone(self.pat.discharged_at)

    def test_signing_is_refused_while_a_video_room_is_open(self):
        summary = self.start()
        self.complete(summary)
        # Monday's session ended at 21:00 but its room is still open (it runs over).
        session = Session.objects.get(group=self.group, local_date=date(2026, 1, 19))
        Room.objects.create(
            session_code=session.code,
            janus_node="ws://janus.invalid",
            janus_room_id="1234",
            secret="s",
            pin="p",
            publishers=12,
            bitrate=256000,
            opened_at=session.starts_at,
        )
        with self.assertRaisesMessage(actions.DischargeError, "video room"):
            self.sign(summary)

    def test_an_intake_coordinator_cannot_sign(self):
        summary = self.start()
        self.complete(summary)
        with self.assertRaisesMessage(actions.DischargeError, "A clinician or the program"):
            actions.sign_discharge(summary, acting_user=self.ivy)

    def test_a_participant_with_no_place_in_a_group_is_discharged_too(self):
        summary = self.start()
        self.complete(summary)
        with time_machine.travel(DISCHARGE_DAY, tick=False):
            scheduling.end_enrollment(self.enrollment, acting_user=self.dana)
        self.sign(summary)
        self.pat.refresh_from_db()
        self.assertIsNotNone(self.pat.discharged_at)


class NoticeTestCase(DischargeTestCase):
    def setUp(self):
        super().setUp()
        locmem.reset()
        default_task_backend.clear()  # type: ignore[attr-defined]

    def test_signing_queues_one_notice_that_names_nothing_clinical(self):
        summary = self.start()
        self.complete(summary)
        self.sign(summary)
        [job] = [
            r
            for r in default_task_backend.results  # type: ignore[attr-defined]
            if r.task.name == "notify_participant"
        ]
        self.assertEqual(tasks.notify_participant.call(*job.args), 2)
        self.assertEqual(tasks.notify_participant.call(*job.args), 0)
        [text] = locmem.outbox
        [email] = mail.outbox
        self.assertEqual(text.body, "There is an update in your OpenIOP portal. Sign in to see it.")
        self.assertEqual(email.body, text.body)
        for message in (text.body, email.subject, email.body):
            for phi in ("discharge", "Pat", "Lindqvist", "Jordan", "DBT"):
                self.assertNotIn(phi.lower(), message.lower())
        summary.refresh_from_db()
        self.assertIsNotNone(summary.participant_notified_at)
        self.assertEqual(
            AuditEvent.objects.get(event_type="discharge.participant_notified").details,
            {"channel": ["sms", "email"], "notified": 2},
        )

    def test_a_draft_sends_nothing(self):
        summary = self.start()
        self.assertEqual(notices.send_discharge_notice(summary.pk), 0)
        self.assertEqual(locmem.outbox, [])


class EpisodeTestCase(DischargeTestCase):
    def test_the_end_reason_matches_the_summary_choices(self):
        self.assertEqual(DischargeSummary.Reason, EpisodeOfCare.EndReason)
