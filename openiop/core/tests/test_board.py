"""The director's operations board: what each section holds, who may see it, and a query
count that does not grow with the number of participants."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.billing.models import Plan
from openiop.careplans.models import TreatmentPlan
from openiop.core import board as operations
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.programs.models import Program, ProgramMembership
from openiop.safety.models import Acuity, SafetyAlert
from openiop.scheduling import actions
from openiop.scheduling.models import Booking, Enrollment
from openiop.scheduling.tests.base import SchedulingTestCase
from openiop.testing import make_user

NY = ZoneInfo("America/New_York")
WEDNESDAY_NIGHT = datetime(2026, 3, 11, 21, 30, tzinfo=NY)


class BoardTestCase(SchedulingTestCase):
    def admit_episode(self, participant: Participant, when: datetime) -> EpisodeOfCare:
        referral = Referral.objects.create(
            participant=participant,
            program=self.program,
            source="self",
            reason="x",
            consent_to_contact=True,
            stage=Referral.Stage.ADMITTED,
            created_by=self.ivy,
        )
        return EpisodeOfCare.objects.create(
            participant=participant,
            program=self.program,
            referral=referral,
            level_of_care="iop",
            admitted_at=when,
            admitted_by=self.dana,
        )

    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
            actions.admit(self.pat, self.group, starts_on=date(2026, 3, 9), acting_user=self.dana)
        self.admit_episode(self.pat, datetime(2026, 3, 9, 12, tzinfo=UTC))
        # Pat misses Monday and Wednesday: 3 hours left against a 9-hour minimum.
        with time_machine.travel(WEDNESDAY_NIGHT, tick=False):
            for booking in Booking.objects.filter(participant=self.pat).order_by(
                "session__starts_at"
            )[:2]:
                actions.record_attendance(
                    booking, attendance="absent", minutes=None, acting_user=self.alvarez
                )

    def page(self, user=None):
        self.login(user or self.dana)
        with time_machine.travel(WEDNESDAY_NIGHT, tick=False):
            return self.client.get(reverse("core:board", args=[self.program.code]))


class SectionsTestCase(BoardTestCase):
    def test_an_admitted_participant_short_of_hours_is_at_risk(self):
        with time_machine.travel(WEDNESDAY_NIGHT, tick=False):
            board = operations.board(self.program, now=WEDNESDAY_NIGHT)
        self.assertEqual([line.participant for line in board.at_risk], [self.pat])
        # 0 attended + 3 still booked against 9: short by 6.
        self.assertEqual(str(board.at_risk[0].ledger.shortfall_hours), "6.00")
        self.assertEqual(board.admissions[0].participant, self.pat)
        self.assertEqual([row.seated for row in board.census], [1, 0])

    def test_waitlisted_and_screening_people_are_never_flagged(self):
        # Quinn waits for a seat with no episode of care; someone else is in screening.
        with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
            self.group.capacity = 1
            self.group.save(update_fields=["capacity"])
            actions.admit(self.quinn, self.group, starts_on=date(2026, 3, 9), acting_user=self.dana)
        Referral.objects.create(
            participant=self.quinn,
            program=self.program,
            source="self",
            reason="x",
            consent_to_contact=True,
            created_by=self.ivy,
        )
        board = operations.board(self.program, now=WEDNESDAY_NIGHT)
        self.assertEqual([line.participant for line in board.at_risk], [self.pat])
        self.assertEqual([line.participant for line in board.waitlist], [self.quinn])

    def test_the_make_up_status_says_what_is_open_or_booked(self):
        board = operations.board(self.program, now=WEDNESDAY_NIGHT)
        offers = [f"{n} make-up session{'s' if n != 1 else ''} open, none booked" for n in range(9)]
        self.assertIn(board.at_risk[0].makeup, ["No make-up session left this week", *offers])

    def test_a_make_up_counts_only_where_a_facilitator_is_licensed(self):
        # Group B (Dr. Chen, New York only) meets on Friday morning this week.
        with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=False):
            actions.add_extra_session(
                self.group_b,
                day=date(2026, 3, 13),
                starts_at=time(10),
                ends_at=time(13),
                acting_user=self.dana,
            )
        board = operations.board(self.program, now=WEDNESDAY_NIGHT)
        self.assertEqual(board.at_risk[0].makeup, "1 make-up session open, none booked")
        Participant.objects.filter(pk=self.pat.pk).update(home_state="NJ")
        board = operations.board(self.program, now=WEDNESDAY_NIGHT)
        self.assertEqual(board.at_risk[0].makeup, "No make-up session left this week")

    def test_open_alerts_are_grouped_by_acuity_and_link_to_the_alert(self):
        alert = SafetyAlert.objects.create(
            participant=self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            opened_at=WEDNESDAY_NIGHT,
            last_triggered_at=WEDNESDAY_NIGHT,
            acuity=Acuity.HIGH,
        )
        response = self.page()
        self.assertContains(response, reverse("safety:alert", args=[alert.code]))
        high = next(level for level in response.context["board"].alerts if level.label == "High")
        self.assertEqual(len(high.lines), 1)

    def test_every_line_links_to_where_it_is_acted_on(self):
        response = self.page()
        self.assertContains(response, reverse("scheduling:ledger", args=[self.pat.code]))
        self.assertContains(response, reverse("scheduling:roster", args=[self.group.code]))
        self.assertContains(response, reverse("participants:chart", args=[self.pat.code]))

    def test_another_app_adds_a_section_through_the_registry(self):
        def authorizations(program: Program, now: datetime) -> operations.ExtraSection:
            return operations.ExtraSection(
                key="authorizations",
                title="Authorizations expiring within 7 days",
                lines=[operations.Line(text="Lindqvist, Pat", url="/somewhere/")],
            )

        operations.register_section(authorizations)
        self.addCleanup(operations.unregister_section, authorizations)
        self.assertContains(self.page(), "Authorizations expiring within 7 days")

    def test_authorizations_ending_this_week_or_nearly_used_up_are_listed(self):
        from openiop.billing.tests import base as billing

        plan = billing.payer(self.program)
        cov = billing.coverage(self.pat, plan)
        # Wednesday 11 March: ends on the 16th (within 7 days), 20 units barely touched.
        billing.authorization(
            cov, self.dana, starts=date(2026, 3, 1), ends=date(2026, 3, 16), reference="A-1"
        )
        quinn_cov = billing.coverage(self.quinn, plan, member_id="XYZ789")
        # Ends in April with plenty of units: not listed.
        billing.authorization(
            quinn_cov, self.dana, starts=date(2026, 3, 1), ends=date(2026, 4, 30), reference="B-2"
        )
        response = self.page()
        section = next(s for s in response.context["board"].extra if s.key == "authorizations")
        self.assertEqual([line.text for line in section.lines], [self.pat.staff_name])
        self.assertIn("ends Mar 16", section.lines[0].detail)
        self.assertContains(response, reverse("billing:chart", args=[self.pat.code]))


class AccessTestCase(BoardTestCase):
    def test_only_the_programs_directors_see_it(self):
        for user, status in (
            (self.dana, 200),
            (self.ivy, 404),
            (self.alvarez, 404),
            (self.chen, 404),
            (self.admin, 404),
            (self.pat_user, 404),
        ):
            with self.subTest(user=user.email):
                self.assertEqual(self.page(user).status_code, status)

    def test_a_director_of_another_program_gets_404(self):
        elsewhere = Program.objects.create(name="Elsewhere")
        other = make_user("olu@example.org", "Olu", "Other", "program_director")
        ProgramMembership.objects.create(
            program=elsewhere, user=other, role=ProgramMembership.Role.DIRECTOR
        )
        self.assertEqual(self.page(other).status_code, 404)
        self.login(other)
        index = self.client.get(reverse("core:board_index"))
        self.assertRedirects(index, reverse("core:board", args=[elsewhere.code]))


class QueryCountTestCase(BoardTestCase):
    def add_cohort(self, count: int) -> None:
        """Each person adds a line to every section: admitted and at risk (seated in B, nothing
        booked), waiting for A, a draft note, an overdue plan review, an open alert,
        a referral past its target and an authorization ending this week."""
        from openiop.billing.tests import base as billing

        plan = Plan.objects.filter(payer__program=self.program).first() or billing.payer(
            self.program
        )
        for i in range(count):
            participant = Participant.objects.create(
                program=self.program,
                given_name=f"Person{i}",
                family_name=f"Cohort{Participant.objects.count()}",
                date_of_birth=date(1990, 1, 1),
                home_state="NY",
                timezone="America/New_York",
            )
            self.admit_episode(participant, datetime(2026, 3, 2, 12, tzinfo=UTC))
            Enrollment.objects.create(
                participant=participant,
                group=self.group_b,
                status=Enrollment.Status.SEATED,
                starts_on=date(2026, 3, 2),
                expected_end_on=date(2026, 4, 27),
                requested_at=WEDNESDAY_NIGHT,
                seated_at=WEDNESDAY_NIGHT,
                created_by=self.dana,
            )
            Enrollment.objects.create(
                participant=participant,
                group=self.group,
                status=Enrollment.Status.WAITLISTED,
                starts_on=date(2026, 3, 16),
                expected_end_on=date(2026, 5, 11),
                requested_at=WEDNESDAY_NIGHT,
                created_by=self.dana,
            )
            Note.objects.create(
                participant=participant,
                kind=Note.Kind.INDIVIDUAL,
                author=self.chen if i % 2 else self.alvarez,
            )
            TreatmentPlan.objects.create(
                participant=participant,
                status=TreatmentPlan.Status.ACTIVE,
                created_by=self.alvarez,
                review_due_on=date(2026, 3, 1),
            )
            SafetyAlert.objects.create(
                participant=participant,
                kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
                opened_at=WEDNESDAY_NIGHT,
                last_triggered_at=WEDNESDAY_NIGHT,
                acuity=[Acuity.HIGH, Acuity.ELEVATED][i % 2],
            )
            Referral.objects.create(
                participant=participant,
                program=self.program,
                source="self",
                reason="x",
                consent_to_contact=True,
                stage=Referral.Stage.ASSESSMENT,
                stage_entered_at=datetime(2026, 2, 20, 12, tzinfo=UTC),
                created_by=self.ivy,
            )
            billing.authorization(
                billing.coverage(participant, plan, member_id=f"M{participant.pk}"),
                self.dana,
                starts=date(2026, 3, 1),
                ends=date(2026, 3, 16),
                reference=f"A-{participant.pk}",
            )

    def count(self) -> int:
        self.login(self.dana)
        with (
            time_machine.travel(WEDNESDAY_NIGHT, tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            response = self.client.get(reverse("core:board", args=[self.program.code]))
        self.assertEqual(response.status_code, 200)
        return len(queries.captured_queries)

    def test_the_board_asks_the_same_number_of_queries_for_small_and_larger_cohorts(self):
        self.add_cohort(3)
        small = self.count()
        self.add_cohort(40)
        self.assertEqual(self.count(), small)
        # Every section did grow: the count is constant because of the queries, not empty data.
        with time_machine.travel(WEDNESDAY_NIGHT, tick=False):
            board = operations.board(self.program, now=WEDNESDAY_NIGHT)
        self.assertEqual(board.at_risk_count, 44)
        self.assertEqual(len(board.waitlist), min(43, operations.ROW_LIMIT))
        drafts = [int(line.text.split()[0]) for c in board.unsigned_notes for line in c.lines]
        self.assertEqual(sum(drafts), 43)
        self.assertEqual(sum(len(c.lines) for c in board.overdue_reviews), 43)
        self.assertEqual(sum(len(level.lines) for level in board.alerts), 43)
        self.assertEqual(board.intake_overdue, 43)
        [authorizations] = [s for s in board.extra if s.key == "authorizations"]
        self.assertEqual(len(authorizations.lines), min(43, operations.ROW_LIMIT))
