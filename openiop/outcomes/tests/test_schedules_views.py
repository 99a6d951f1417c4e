"""The schedules pages: configuring (directors only), bad input, and completion rates."""

from datetime import date, timedelta
from pathlib import Path

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.assessments import actions as assessment_actions
from openiop.assessments.definitions import SHIPPED_DIR
from openiop.assessments.models import Assignment, InstrumentDefinition
from openiop.outcomes import completion
from openiop.outcomes.models import MeasurementOccasion, MeasurementSchedule
from openiop.outcomes.tests.schedules_base import ScheduleTestCase, ny
from openiop.participants.models import Participant
from openiop.programs.models import Group, Track

SITE_FILE = (
    Path(__file__).parents[2]
    / "assessments"
    / "tests"
    / "fixtures"
    / "example-site-instrument.json"
)


COUNTS = ("due", "completed", "open", "missed")


class ConfigureTests(ScheduleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.dana)
        self.url = reverse("outcomes:schedules", args=[self.program.code])
        self.add_url = reverse("outcomes:schedule_add", args=[self.program.code])

    def test_the_director_sees_the_programs_schedules(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Patient Health Questionnaire-9")
        self.assertContains(
            response,
            "At admission, Weekly on Monday, At discharge, 30 days after discharge, "
            "90 days after discharge",
        )

    def test_an_instrument_that_is_not_loaded_is_a_clear_form_error(self):
        response = self.client.post(self.add_url, {"instrument_key": "bam", "at_admission": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "No instrument with the key “bam” is loaded. Load it first", status_code=400
        )
        self.assertFalse(MeasurementSchedule.objects.filter(instrument_key="bam").exists())

    def test_a_schedule_needs_an_occasion(self):
        response = self.client.post(self.add_url, {"instrument_key": "gad-7"})
        self.assertContains(response, "Choose at least one occasion.", status_code=400)

    def test_a_second_active_schedule_of_the_same_instrument_is_refused(self):
        response = self.client.post(self.add_url, {"instrument_key": "phq-9", "weekly_on": "2"})
        self.assertContains(response, "already has an active schedule", status_code=400)

    def test_a_track_schedule_of_a_site_loaded_instrument(self):
        assessment_actions.load_instrument(
            SITE_FILE.read_text(encoding="utf-8"), source=SITE_FILE.name, acting_user=self.admin
        )
        track = Track.objects.create(
            program=self.program, name="Substance use", starts_on=date(2026, 1, 5)
        )
        form = self.client.get(self.url)
        self.assertContains(form, "(example-day-check) — site-loaded")
        response = self.client.post(
            self.add_url,
            {"instrument_key": "example-day-check", "track": track.pk, "weekly_on": "3"},
        )
        self.assertRedirects(response, self.url)
        schedule = MeasurementSchedule.objects.get(instrument_key="example-day-check")
        self.assertEqual((schedule.track, schedule.weekly_on), (track, 3))
        self.assertContains(self.client.get(self.url), "Site-loaded")

    def test_defaults_then_deactivate(self):
        self.client.post(
            reverse("outcomes:schedule_deactivate", args=[self.schedule.code]), follow=True
        )
        self.schedule.refresh_from_db()
        self.assertFalse(self.schedule.is_active)
        self.client.post(reverse("outcomes:schedule_defaults", args=[self.program.code]))
        active = MeasurementSchedule.objects.filter(program=self.program, is_active=True)
        self.assertEqual(
            sorted(active.values_list("instrument_key", flat=True)), ["gad-7", "phq-9"]
        )
        response = self.client.post(
            reverse("outcomes:schedule_defaults", args=[self.program.code]), follow=True
        )
        self.assertContains(response, "already has the default schedules")
        self.assertContains(response, "Deactivated schedules")

    def test_bam_is_not_shipped(self):
        # CLINICAL.md marks the BAM's public-domain status [VERIFY]: sites load it themselves.
        shipped = {p.stem for p in Path(SHIPPED_DIR).glob("*.json")}
        self.assertNotIn("bam", shipped)
        self.assertFalse(
            InstrumentDefinition.objects.filter(shipped=True, key__icontains="bam").exists()
        )


class CompletionTests(ScheduleTestCase):
    """Occasions made straight in the database with known outcomes."""

    def setUp(self) -> None:
        super().setUp()
        self.phq9 = assessment_actions.shipped_instrument("phq-9")
        track = Track.objects.create(
            program=self.program, name="Evening", starts_on=date(2026, 1, 5)
        )
        self.group = Group.objects.create(
            track=track, name="Evening A", curriculum_starts_on=date(2026, 1, 5)
        )
        self.day = date(2026, 1, 5)

    def occasion(self, participant, status, *, superseded=False, clinician=None):
        assignment = Assignment.objects.create(
            participant=participant,
            instrument=self.phq9,
            assigned_by=self.dana,
            status=status,
            completed_at=timezone.now() if status == "completed" else None,
        )
        self.day += timedelta(days=7)
        return MeasurementOccasion.objects.create(
            schedule=self.schedule,
            participant=participant,
            kind="weekly",
            due_on=self.day,
            assignment=assignment,
            superseded_at=timezone.now() if superseded else None,
            group=self.group,
            clinician=clinician or self.alvarez,
        )

    def history(self, participant):
        self.occasion(participant, "completed")
        self.occasion(participant, "completed", clinician=self.chen)
        self.occasion(participant, "cancelled")
        self.occasion(participant, "open")

    def test_rates_per_participant_group_and_clinician(self):
        self.history(self.pat)
        self.occasion(self.quinn, "completed")
        pat = completion.by_participant(self.program).filter(pk=self.pat.pk)
        self.assertEqual(pat.values_list(*COUNTS, "rate").get(), (4, 2, 1, 1, 0.5))
        group = completion.by_group(self.program).values_list("due", "completed").get()
        self.assertEqual(group, (5, 3))
        clinicians = completion.by_clinician(self.program)
        self.assertEqual(
            set(clinicians.values_list("family_name", "due", "completed")),
            {("Alvarez", 4, 2), ("Chen", 1, 1)},
        )
        totals = completion.program_totals(self.program)
        self.assertEqual((totals.due, totals.completed, totals.open, totals.missed), (5, 3, 1, 1))

    def test_a_superseded_occasion_is_missed_even_if_its_questionnaire_was_completed_later(self):
        first = self.occasion(self.pat, "completed", superseded=True)
        MeasurementOccasion.objects.create(
            schedule=self.schedule,
            participant=self.pat,
            kind="weekly",
            due_on=first.due_on + timedelta(days=7),
            assignment=first.assignment,
        )
        row = completion.by_participant(self.program).values_list(*COUNTS).get()
        self.assertEqual(row, (2, 1, 0, 1))

    def test_the_period_filter(self):
        self.history(self.pat)
        rows = completion.by_participant(self.program, since=self.day - timedelta(days=7))
        self.assertEqual(rows.values_list("due", flat=True).get(), 2)

    def test_constant_queries_for_one_or_many_participants(self):
        self.history(self.pat)
        self.login(self.dana)
        url = reverse("outcomes:completion", args=[self.program.code])
        with time_machine.travel(ny(2026, 3, 1, 9), tick=False):
            with self.assertNumQueries(1):
                self.assertEqual(len(completion.by_participant(self.program)), 1)
            self.client.get(url)  # the session's first request does its own set-up
            with CaptureQueriesContext(connection) as one:
                self.client.get(url)
            for n in range(12):
                person = Participant.objects.create(
                    program=self.program,
                    given_name=f"Person{n}",
                    family_name="Example",
                    date_of_birth=date(1990, 1, 1),
                    home_state="NY",
                )
                self.history(person)
            with self.assertNumQueries(1):
                self.assertEqual(len(completion.by_participant(self.program)), 13)
            with self.assertNumQueries(len(one)):
                response = self.client.get(url)
        self.assertContains(response, "Person11")
