"""The intake pipeline: stages, age in stage, overdue against business-day targets, filters,
who may see it, and a constant number of queries."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.intake import actions
from openiop.intake import pipeline as pipeline_queries
from openiop.intake.models import Referral, StageTarget
from openiop.intake.tests.test_workflow import ASSESSMENT, IntakeTestCase
from openiop.participants.models import Participant
from openiop.programs.models import Program, ProgramMembership, Track
from openiop.scheduling.models import Holiday
from openiop.testing import make_user

NY = ZoneInfo("America/New_York")
URL = reverse("intake:pipeline")


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=NY)


class PipelineTestCase(IntakeTestCase):
    def screened_at(self, moment: datetime) -> Referral:
        """A referral that entered the assessment stage at `moment`."""
        with time_machine.travel(moment, tick=False):
            referral = self.refer()
            actions.record_screening(
                referral, proceed=True, note="", referred_to="", acting_user=self.ivy
            )
        referral.refresh_from_db()
        return referral

    def row(self, referral: Referral, now: datetime) -> pipeline_queries.Row:
        board = pipeline_queries.pipeline(self.ivy, now=now)
        rows = [r for c in board.columns for r in c.rows if r.referral.pk == referral.pk]
        self.assertEqual(len(rows), 1)
        return rows[0]


class StageAgeTestCase(PipelineTestCase):
    def test_each_step_records_when_the_referral_entered_its_stage(self):
        with time_machine.travel(at(2026, 3, 2, 9, 0), tick=False):
            referral = self.refer()
        self.assertEqual(referral.stage_entered_at, at(2026, 3, 2, 9, 0))
        with time_machine.travel(at(2026, 3, 3, 11, 0), tick=False):
            actions.record_screening(
                referral, proceed=True, note="", referred_to="", acting_user=self.ivy
            )
        referral.refresh_from_db()
        self.assertEqual(referral.stage_entered_at, at(2026, 3, 3, 11, 0))
        with time_machine.travel(at(2026, 3, 4, 12, 0), tick=False):
            actions.save_assessment(referral, fields=dict(ASSESSMENT), acting_user=self.ivy)
        with time_machine.travel(at(2026, 3, 5, 12, 0), tick=False):
            # A revision at the decision step keeps the referral's age there.
            actions.save_assessment(referral, fields=dict(ASSESSMENT), acting_user=self.ivy)
        referral.refresh_from_db()
        self.assertEqual(referral.stage, Referral.Stage.DECISION)
        self.assertEqual(referral.stage_entered_at, at(2026, 3, 4, 12, 0))
        with time_machine.travel(at(2026, 3, 6, 8, 0), tick=False):
            actions.decide_level_of_care(
                referral, chosen_level="iop", variance_reason="", acting_user=self.dana
            )
            referral.refresh_from_db()
            actions.waitlist(referral, note="", acting_user=self.ivy)
        referral.refresh_from_db()
        self.assertEqual(referral.stage, Referral.Stage.WAITLISTED)
        self.assertEqual(referral.stage_entered_at, at(2026, 3, 6, 8, 0))

    def test_age_in_stage_is_the_time_since_the_stage_began(self):
        referral = self.screened_at(at(2026, 3, 2, 10, 0))
        self.assertEqual(self.row(referral, at(2026, 3, 4, 13, 30)).age, "2 d 3 h")


class OverdueTestCase(PipelineTestCase):
    def test_an_assessment_is_due_at_exactly_three_business_days_and_late_after(self):
        referral = self.screened_at(at(2026, 3, 2, 10, 0))  # Monday
        due = at(2026, 3, 5, 10, 0)  # Thursday
        row = self.row(referral, due)
        self.assertEqual(row.due_at, due)
        self.assertFalse(row.overdue)
        self.assertTrue(self.row(referral, due + timedelta(seconds=1)).overdue)

    def test_the_weekend_does_not_count(self):
        referral = self.screened_at(at(2026, 2, 27, 10, 0))  # Friday
        self.assertFalse(self.row(referral, at(2026, 3, 4, 9, 59)).overdue)  # Wednesday
        self.assertTrue(self.row(referral, at(2026, 3, 4, 10, 1)).overdue)

    def test_the_due_time_stays_on_the_wall_clock_across_dst(self):
        referral = self.screened_at(at(2026, 3, 6, 10, 0))  # Friday, 10:00 EST
        # Wednesday 10:00 EDT: 71 hours of real time after Friday 10:00 EST, not 72.
        row = self.row(referral, at(2026, 3, 11, 9, 59))
        self.assertEqual(row.due_at, datetime(2026, 3, 11, 14, 0, tzinfo=UTC))
        self.assertFalse(row.overdue)
        self.assertTrue(self.row(referral, at(2026, 3, 11, 10, 0, 1)).overdue)

    def test_a_program_holiday_does_not_count(self):
        Holiday.objects.create(program=self.program, date=date(2026, 3, 3), name="Closed")
        referral = self.screened_at(at(2026, 3, 2, 10, 0))
        row = self.row(referral, at(2026, 3, 5, 12, 0))
        self.assertEqual(row.due_at, at(2026, 3, 6, 10, 0))
        self.assertFalse(row.overdue)

    def test_a_program_sets_its_own_targets(self):
        referral = self.screened_at(at(2026, 3, 2, 10, 0))
        actions.set_stage_targets(
            self.program, targets={"assessment": 1, "screening": 2}, acting_user=self.dana
        )
        self.assertTrue(self.row(referral, at(2026, 3, 3, 10, 0, 1)).overdue)
        self.assertEqual(AuditEvent.objects.filter(event_type="intake.targets_updated").count(), 1)

    def test_waitlisted_referrals_have_no_target(self):
        referral = self.screened_at(at(2026, 3, 2, 10, 0))
        Referral.objects.filter(pk=referral.pk).update(stage=Referral.Stage.WAITLISTED)
        row = self.row(referral, at(2026, 4, 30, 10, 0))
        self.assertIsNone(row.due_at)
        self.assertFalse(row.overdue)


class PageTestCase(PipelineTestCase):
    def test_the_page_marks_the_overdue_referral(self):
        self.screened_at(at(2026, 3, 2, 10, 0))
        self.login(self.ivy)
        with time_machine.travel(at(2026, 3, 9, 10, 0), tick=False):
            response = self.client.get(URL)
        self.assertContains(response, "Overdue")
        self.assertContains(response, 'class="overdue"')
        self.assertContains(response, "Robin Okafor")

    def test_filters_by_source_and_track(self):
        track = Track.objects.create(
            program=self.program, name="Evening", starts_on=date(2026, 1, 5)
        )
        referral = self.refer()
        Referral.objects.filter(pk=referral.pk).update(track=track)
        self.login(self.ivy)
        shown = self.client.get(URL, {"source": "primary_care", "track": str(track.code)})
        self.assertContains(shown, "Robin Okafor")
        self.assertNotContains(self.client.get(URL, {"source": "self"}), "Robin Okafor")
        other = Track.objects.create(
            program=self.program, name="Morning", starts_on=date(2026, 1, 5)
        )
        self.assertNotContains(self.client.get(URL, {"track": str(other.code)}), "Robin Okafor")
        # A filter that names nothing the user may see is no filter.
        self.assertContains(self.client.get(URL, {"track": "nonsense"}), "Robin Okafor")

    def test_a_referral_names_a_track_of_its_own_program(self):
        elsewhere = Program.objects.create(name="Elsewhere")
        track = Track.objects.create(program=elsewhere, name="Day", starts_on=date(2026, 1, 5))
        with self.assertRaises(actions.IntakeError):
            actions.create_referral(
                program=self.program,
                person={"given_name": "A", "family_name": "B", "date_of_birth": date(1990, 1, 1)},
                referral={
                    "source": "self",
                    "reason": "x",
                    "consent_to_contact": True,
                    "track": track,
                },
                acting_user=self.ivy,
            )

    def test_only_intake_coordinators_and_directors_see_it(self):
        self.refer()
        for user, status in (
            (self.dana, 200),
            (self.ivy, 200),
            (self.alvarez, 404),
            (self.chen, 404),
            (self.sam, 404),
            (self.admin, 404),
            (self.pat_user, 404),
        ):
            with self.subTest(user=user.email):
                self.login(user)
                self.assertEqual(self.client.get(URL).status_code, status)

    def test_another_programs_director_sees_none_of_these_referrals(self):
        self.refer()
        elsewhere = Program.objects.create(name="Elsewhere")
        other = make_user("olu@example.org", "Olu", "Other", "program_director")
        ProgramMembership.objects.create(
            program=elsewhere, user=other, role=ProgramMembership.Role.DIRECTOR
        )
        self.login(other)
        response = self.client.get(URL, {"program": str(self.program.code)})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Okafor")

    def test_targets_page_is_the_directors_only(self):
        url = reverse("intake:targets", args=[self.program.code])
        self.login(self.ivy)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login(self.dana)
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url, {"screening": "1", "assessment": "0", "decision": "2", "admission": "2"}
        )
        self.assertContains(response, "Give at least 1 business day.", status_code=400)
        self.assertFalse(StageTarget.objects.exists())
        response = self.client.post(
            url, {"screening": "1", "assessment": "5", "decision": "2", "admission": "2"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(StageTarget.objects.get(stage="assessment").business_days, 5)


class QueryCountTestCase(PipelineTestCase):
    def add_referrals(self, count: int, track: Track) -> None:
        stages = list(pipeline_queries.STAGES)
        for i in range(count):
            participant = Participant.objects.create(
                program=self.program,
                given_name=f"Person{i}",
                family_name=f"Number{Participant.objects.count()}",
                date_of_birth=date(1990, 1, 1),
                home_state="NY",
                timezone="America/New_York",
            )
            Referral.objects.create(
                participant=participant,
                program=self.program,
                source="self",
                reason="x",
                consent_to_contact=True,
                stage=stages[i % len(stages)],
                track=track if i % 2 else None,
                referred_elsewhere_to="A clinic nearby",
                created_by=self.ivy,
            )

    def count(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        return len(queries.captured_queries)

    def test_the_page_asks_the_same_number_of_queries_for_5_and_50_referrals(self):
        track = Track.objects.create(
            program=self.program, name="Evening", starts_on=date(2026, 1, 5)
        )
        StageTarget.objects.create(
            program=self.program, stage="assessment", business_days=2, updated_by=self.dana
        )
        self.login(self.ivy)
        self.add_referrals(5, track)
        small = self.count()
        self.add_referrals(45, track)
        with self.assertNumQueries(small):
            response = self.client.get(URL)
        self.assertContains(response, "Number49")
