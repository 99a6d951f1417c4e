"""The measurement sweep: what it assigns, when, to whom, and how it reminds."""

from datetime import date
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from openiop.assessments import actions as assessment_actions
from openiop.assessments.models import Assignment
from openiop.audit.models import AuditEvent
from openiop.notifications.sms import locmem
from openiop.outcomes import schedule_actions, sweep
from openiop.outcomes.models import MeasurementOccasion
from openiop.outcomes.tests.schedules_base import ScheduleTestCase, ny
from openiop.programs.models import Group, Track
from openiop.scheduling.models import Enrollment, ReminderPreference


class SweepTestCase(ScheduleTestCase):
    def setUp(self) -> None:
        super().setUp()
        locmem.reset()

    def run_sweep(self, when):
        with time_machine.travel(when, tick=False):
            return sweep.run()

    def occasions(self, participant=None):
        rows = MeasurementOccasion.objects.filter(participant=participant or self.pat)
        return list(rows.order_by("due_on", "id").values_list("kind", "due_on"))


class AssignmentTests(SweepTestCase):
    def test_admission_assigns_once_however_often_the_sweep_runs(self):
        self.admit(self.pat, ny(2026, 1, 6, 10))
        first = self.run_sweep(ny(2026, 1, 6, 11))
        again = self.run_sweep(ny(2026, 1, 6, 11, 5))
        self.assertEqual(first["assigned"], 1)
        self.assertEqual(again["assigned"], 0)
        self.assertEqual(self.occasions(), [("admission", date(2026, 1, 6))])
        occasion = MeasurementOccasion.objects.get()
        self.assertEqual(occasion.assignment.instrument.key, "phq-9")
        self.assertEqual(occasion.assignment.status, Assignment.Status.OPEN)
        self.assertEqual(occasion.clinician, self.alvarez)
        event = AuditEvent.objects.get(event_type="outcomes.measure_assigned")
        self.assertIsNone(event.actor)
        self.assertEqual(event.details["kind"], "admission")

    def test_the_management_command_runs_the_sweep(self):
        self.admit(self.pat, ny(2026, 1, 6, 10))
        out = StringIO()
        with time_machine.travel(ny(2026, 1, 6, 11), tick=False):
            call_command("assign_measures", stdout=out)
        self.assertIn("Assigned 1 questionnaire(s)", out.getvalue())

    def test_no_backlog_when_a_schedule_starts_after_admission(self):
        self.schedule.is_active = False
        self.schedule.deactivated_at = ny(2026, 1, 1, 9)
        self.schedule.save()
        self.admit(self.pat, ny(2026, 1, 5, 10))
        with time_machine.travel(ny(2026, 1, 7, 9), tick=False):
            schedule_actions.add_schedule(
                self.program,
                schedule_actions.Plan("gad-7", at_admission=True),
                acting_user=self.dana,
            )
        self.run_sweep(ny(2026, 1, 7, 10))
        self.assertEqual(MeasurementOccasion.objects.count(), 0)

    def test_weekly_on_the_programs_monday_for_a_participant_14_hours_ahead(self):
        # Tokyo is 14 hours ahead of New York in January: the program's Monday starts at
        # 14:00 on the participant's Monday, and that is when the weekly PHQ-9 is due.
        self.pat.timezone = "Asia/Tokyo"
        self.pat.save()
        self.admit(self.pat, ny(2026, 1, 6, 10))
        self.run_sweep(ny(2026, 1, 6, 11))
        admission = Assignment.objects.get()
        assessment_actions.answer(
            admission,
            {str(n): "LA6568-5" for n in range(1, 10)},
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        )
        # Sunday 23:30 in New York is Monday 13:30 in Tokyo: not yet the program's Monday.
        self.run_sweep(ny(2026, 1, 11, 23, 30))
        self.assertEqual(self.occasions(), [("admission", date(2026, 1, 6))])
        self.run_sweep(ny(2026, 1, 12, 0, 5))
        self.assertEqual(
            self.occasions(), [("admission", date(2026, 1, 6)), ("weekly", date(2026, 1, 12))]
        )

    def test_an_open_questionnaire_serves_the_next_occasion_and_the_first_is_missed(self):
        self.admit(self.pat, ny(2026, 1, 2, 10))
        self.run_sweep(ny(2026, 1, 2, 11))
        result = self.run_sweep(ny(2026, 1, 5, 8))
        self.assertEqual(result["carried_over"], 1)
        admission, weekly = MeasurementOccasion.objects.order_by("due_on")
        self.assertEqual(admission.assignment_id, weekly.assignment_id)
        self.assertIsNotNone(admission.superseded_at)
        self.assertIsNone(weekly.superseded_at)
        self.assertEqual(Assignment.objects.filter(participant=self.pat).count(), 1)

    def test_an_open_assignment_made_by_hand_serves_the_occasion(self):
        phq9 = assessment_actions.shipped_instrument("phq-9")
        by_hand = assessment_actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)
        self.admit(self.pat, ny(2026, 1, 6, 10))
        self.run_sweep(ny(2026, 1, 6, 11))
        self.assertEqual(MeasurementOccasion.objects.get().assignment, by_hand)

    def test_discharge_and_follow_ups(self):
        episode = self.admit(self.pat, ny(2026, 1, 2, 10))
        self.run_sweep(ny(2026, 1, 2, 11))
        Assignment.objects.update(status=Assignment.Status.CANCELLED)
        self.discharge(episode, ny(2026, 1, 14, 15))
        self.run_sweep(ny(2026, 1, 14, 16))
        self.run_sweep(ny(2026, 2, 13, 9))
        self.run_sweep(ny(2026, 4, 14, 9))
        self.assertEqual(
            self.occasions(),
            [
                ("admission", date(2026, 1, 2)),
                # The sweep on discharge day still finds Monday's weekly occasion due.
                ("weekly", date(2026, 1, 12)),
                ("discharge", date(2026, 1, 14)),
                ("follow_up_30", date(2026, 2, 13)),
                ("follow_up_90", date(2026, 4, 14)),
            ],
        )

    def test_a_track_schedule_covers_only_participants_seated_in_its_groups(self):
        track = Track.objects.create(
            program=self.program, name="Substance use", starts_on=date(2026, 1, 5)
        )
        group = Group.objects.create(
            track=track, name="SU A", curriculum_starts_on=date(2026, 1, 5)
        )
        with time_machine.travel(ny(2026, 1, 1, 8), tick=False):
            schedule_actions.add_schedule(
                self.program,
                schedule_actions.Plan("gad-7", at_admission=True, track=track),
                acting_user=self.dana,
            )
        Enrollment.objects.create(
            participant=self.quinn,
            group=group,
            status=Enrollment.Status.SEATED,
            starts_on=date(2026, 1, 6),
            expected_end_on=date(2026, 3, 1),
            requested_at=ny(2026, 1, 5, 9),
            seated_at=ny(2026, 1, 5, 9),
            created_by=self.dana,
        )
        self.admit(self.pat, ny(2026, 1, 6, 10))
        self.admit(self.quinn, ny(2026, 1, 6, 10))
        self.run_sweep(ny(2026, 1, 6, 11))
        keys = set(
            MeasurementOccasion.objects.values_list(
                "participant__given_name", "schedule__instrument_key", "group__name"
            )
        )
        self.assertEqual(
            keys,
            {
                ("Patricia", "phq-9", None),
                ("Quinn", "phq-9", "SU A"),
                ("Quinn", "gad-7", "SU A"),
            },
        )

    def test_participants_seated_before_intake_ran_are_admitted_by_their_seat(self):
        track = Track.objects.create(
            program=self.program, name="Evening", starts_on=date(2026, 1, 5)
        )
        group = Group.objects.create(
            track=track, name="Evening A", curriculum_starts_on=date(2026, 1, 5)
        )
        Enrollment.objects.create(
            participant=self.pat,
            group=group,
            status=Enrollment.Status.SEATED,
            starts_on=date(2026, 1, 7),
            expected_end_on=date(2026, 3, 1),
            requested_at=ny(2026, 1, 5, 9),
            seated_at=ny(2026, 1, 5, 9),
            created_by=self.dana,
        )
        self.run_sweep(ny(2026, 1, 7, 9))
        self.assertEqual(self.occasions(), [("admission", date(2026, 1, 7))])

    def test_an_instrument_that_was_unloaded_assigns_nothing(self):
        self.schedule.instrument_key = "bam"
        self.schedule.save()
        self.admit(self.pat, ny(2026, 1, 6, 10))
        result = self.run_sweep(ny(2026, 1, 6, 11))
        self.assertEqual(result["unavailable"], 1)
        self.assertEqual(MeasurementOccasion.objects.count(), 0)

    def test_a_deactivated_schedule_assigns_nothing(self):
        with time_machine.travel(ny(2026, 1, 5, 9), tick=False):
            schedule_actions.deactivate_schedule(self.schedule, acting_user=self.dana)
        self.admit(self.pat, ny(2026, 1, 6, 10))
        self.run_sweep(ny(2026, 1, 6, 11))
        self.assertEqual(MeasurementOccasion.objects.count(), 0)


class ReminderTests(SweepTestCase):
    def test_one_reminder_with_no_phi_by_each_channel(self):
        self.admit(self.pat, ny(2026, 1, 6, 10))
        with time_machine.travel(ny(2026, 1, 1, 8), tick=False):
            schedule_actions.add_schedule(
                self.program,
                schedule_actions.Plan("gad-7", at_admission=True),
                acting_user=self.dana,
            )
        result = self.run_sweep(ny(2026, 1, 6, 11))
        self.assertEqual(result["assigned"], 2)
        self.assertEqual(result["reminded"], 1)
        self.run_sweep(ny(2026, 1, 6, 11, 5))
        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(len(mail.outbox), 1)
        text = locmem.outbox[0].body
        self.assertEqual(
            text, "OpenIOP: you have a questionnaire to complete. Sign in to fill it in."
        )
        self.assertEqual(mail.outbox[0].body, text)
        for phi in ("PHQ", "GAD", "Pat", "Lindqvist", "Adult", "2026", ":00", "depress"):
            self.assertNotIn(phi, text + mail.outbox[0].subject)
        self.assertEqual(MeasurementOccasion.objects.filter(reminded_at__isnull=False).count(), 2)

    def test_reminders_wait_for_the_participants_daytime(self):
        # Just after midnight in New York: the admission is due, but Pat is asleep...
        self.admit(self.pat, ny(2026, 1, 6, 0, 1))
        self.pat.timezone = "America/New_York"
        self.pat.save()
        self.quinn.timezone = "Asia/Tokyo"  # ...while it is 14:05 for Quinn in Tokyo.
        self.quinn.save()
        self.admit(self.quinn, ny(2026, 1, 6, 0, 1))
        result = self.run_sweep(ny(2026, 1, 6, 0, 5))
        self.assertEqual(result["assigned"], 2)
        self.assertEqual(result["reminded"], 1)
        self.assertEqual([m.to for m in locmem.outbox], ["+15555550101"])
        self.run_sweep(ny(2026, 1, 6, 9, 0))
        self.assertEqual(len(locmem.outbox), 2)

    def test_the_participants_opt_outs_stand(self):
        ReminderPreference.objects.create(participant=self.pat, sms=False, email=True)
        self.admit(self.pat, ny(2026, 1, 6, 10))
        self.run_sweep(ny(2026, 1, 6, 11))
        self.assertEqual(locmem.outbox, [])
        self.assertEqual(len(mail.outbox), 1)

    def test_a_completed_questionnaire_is_not_reminded(self):
        self.admit(self.pat, ny(2026, 1, 6, 0, 1))
        self.run_sweep(ny(2026, 1, 6, 0, 5))
        Assignment.objects.update(status=Assignment.Status.CANCELLED)
        self.run_sweep(ny(2026, 1, 6, 10))
        self.assertEqual(locmem.outbox, [])

    def test_a_discharged_participant_is_still_reminded(self):
        episode = self.admit(self.pat, ny(2026, 1, 2, 10))
        self.run_sweep(ny(2026, 1, 2, 11))
        Assignment.objects.update(status=Assignment.Status.CANCELLED)
        self.discharge(episode, ny(2026, 1, 14, 15))
        self.pat.discharged_at = ny(2026, 1, 14, 15)
        self.pat.save()
        locmem.reset()
        self.run_sweep(ny(2026, 2, 13, 10))
        self.assertEqual(len(locmem.outbox), 1)
