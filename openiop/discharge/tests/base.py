"""Pat's stay in Evening DBT A, from admission to the day the team discharges her.

The calendar (New York): Pat is referred and scores a PHQ-9 of 16 on Friday 2 January 2026,
is admitted and seated in group A from Monday 5 January (Mon/Wed/Thu 18:00-21:00), sees
Dr. Alvarez for an individual session on Tuesday 6 January and scores 8 on Monday 19 January.
The team discharges her on Tuesday 20 January at 10:00, between sessions; she still has an
individual appointment booked for Tuesday 27 January.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import time_machine
from django.utils import timezone

from openiop.assessments import actions as assessments
from openiop.careplans.models import Diagnosis, Medication
from openiop.discharge import actions
from openiop.discharge.models import DischargeSummary
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.participants.models import Participant
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Booking, ClinicianAvailability, Enrollment, Session
from openiop.scheduling.tests.base import SchedulingTestCase

REFERRED = datetime(2026, 1, 2, 15, tzinfo=UTC)  # Friday 10:00 New York
LATER_PHQ9 = datetime(2026, 1, 19, 15, tzinfo=UTC)  # Monday 10:00
DISCHARGE_DAY = datetime(2026, 1, 20, 15, tzinfo=UTC)  # Tuesday 10:00, no session under way
# Monday 19 January, 18:00-21:00 New York: a group session under way.
DURING_GROUP = datetime(2026, 1, 19, 23, 30, tzinfo=UTC)

PHQ9_16 = {str(n): "LA6570-1" for n in range(1, 9)} | {"9": "LA6568-5"}  # 8 × 2 = 16
PHQ9_8 = {str(n): "LA6569-3" for n in range(1, 9)} | {"9": "LA6568-5"}  # 8 × 1 = 8


def admit_to_program(case: Any, participant: Participant) -> EpisodeOfCare:
    """An admitted referral and its episode, as intake leaves them (built directly)."""
    referral = Referral.objects.create(
        participant=participant,
        program=case.program,
        source=Referral.Source.SELF,
        reason="Synthetic",
        consent_to_contact=True,
        stage=Referral.Stage.ADMITTED,
        created_by=case.ivy,
    )
    return EpisodeOfCare.objects.create(
        participant=participant,
        program=case.program,
        referral=referral,
        level_of_care="iop",
        admitted_at=timezone.now(),
        admitted_by=case.dana,
    )


def score_phq9(case: Any, participant: Participant, answers: dict[str, str]) -> None:
    assignment = assessments.assign_instrument(
        participant, assessments.shipped_instrument("phq-9"), acting_user=case.alvarez
    )
    assessments.answer(
        assignment,
        answers,
        intent=assessments.Intent.SUBMIT,
        acting_user=case.alvarez,
        source="clinician",
    )


class DischargeTestCase(SchedulingTestCase):
    def setUp(self) -> None:
        super().setUp()
        ClinicianAvailability.objects.create(
            clinician=self.alvarez,
            weekday=1,
            starts_at=time(9),
            ends_at=time(17),
            timezone="America/New_York",
        )
        with time_machine.travel(REFERRED, tick=False):
            self.episode = admit_to_program(self, self.pat)
            score_phq9(self, self.pat, PHQ9_16)
            self.enrollment = scheduling.admit(
                self.pat, self.group, starts_on=date(2026, 1, 5), acting_user=self.dana
            )
            self.past_appointment = scheduling.book_appointment(
                self.pat,
                clinician=self.alvarez,
                kind=Session.Kind.INDIVIDUAL,
                day=date(2026, 1, 6),
                starts_at=time(10),
                ends_at=time(10, 50),
                acting_user=self.dana,
            )
            self.future_appointment = scheduling.book_appointment(
                self.pat,
                clinician=self.alvarez,
                kind=Session.Kind.INDIVIDUAL,
                day=date(2026, 1, 27),
                starts_at=time(10),
                ends_at=time(10, 50),
                acting_user=self.dana,
            )
        Diagnosis.objects.create(
            participant=self.pat,
            icd10_code="F33.1",
            description="Major depressive disorder, recurrent, moderate",
            rank=Diagnosis.Rank.PRIMARY,
            updated_by=self.alvarez,
        )
        Diagnosis.objects.create(
            participant=self.pat,
            icd10_code="F41.1",
            description="Generalized anxiety disorder",
            status=Diagnosis.Status.RULED_OUT,
            updated_by=self.alvarez,
        )
        Medication.objects.create(
            participant=self.pat,
            name="Sertraline",
            dose="100 mg by mouth daily",
            prescriber="Dr. Wei Chen",
            updated_by=self.chen,
        )
        Medication.objects.create(
            participant=self.pat,
            name="Hydroxyzine",
            dose="25 mg as needed",
            started_on=date(2025, 12, 1),
            stopped_on=date(2026, 1, 10),
            updated_by=self.chen,
        )
        with time_machine.travel(LATER_PHQ9, tick=False):
            self.attend_first_week()
            score_phq9(self, self.pat, PHQ9_8)

    def attend_first_week(self) -> None:
        """Mon 5 present (180 min), Wed 7 late (150), Thu 8 absent; the individual session on
        Tue 6 present (50). Later group sessions stay unrecorded."""
        group_bookings = list(
            Booking.objects.filter(participant=self.pat, session__kind=Session.Kind.GROUP)
            .select_related("session")
            .order_by("session__starts_at")[:3]
        )
        for booking, (attendance, minutes) in zip(
            group_bookings,
            [("present", None), ("late", 150), ("absent", None)],
            strict=True,
        ):
            scheduling.record_attendance(
                booking, attendance=attendance, minutes=minutes, acting_user=self.alvarez
            )
        scheduling.record_attendance(
            self.past_appointment.bookings.get(),
            attendance="present",
            minutes=None,
            acting_user=self.alvarez,
        )

    def start(self, at: datetime = DISCHARGE_DAY) -> DischargeSummary:
        with time_machine.travel(at, tick=False):
            summary, _ = actions.start_discharge(self.pat, acting_user=self.alvarez)
        return summary

    def complete(
        self, summary: DischargeSummary, at: datetime = DISCHARGE_DAY, day: date = date(2026, 1, 20)
    ) -> None:
        """Fill in what signing needs, with one aftercare appointment."""
        with time_machine.travel(at, tick=False):
            actions.save_draft(
                summary,
                fields={
                    "reason": DischargeSummary.Reason.STEPPED_DOWN,
                    "discharged_on": day,
                    "safety_plan_status": DischargeSummary.SafetyPlan.REVIEWED,
                    "what_comes_next": "Weekly therapy with Jordan Lee starts next Monday.",
                    "step_down_level": "outpatient",
                },
                aftercare=[
                    {
                        "with_whom": "Jordan Lee, LCSW (Riverside Counseling)",
                        "starts_at": datetime(2026, 1, 26, 14, tzinfo=UTC),
                        "where": "Video: the link comes by email from Riverside",
                        "phone": "+15555550177",
                    }
                ],
                expected_version=summary.edit_version,
                acting_user=self.alvarez,
            )
        summary.refresh_from_db()

    def sign(self, summary: DischargeSummary, at: datetime = DISCHARGE_DAY) -> DischargeSummary:
        with time_machine.travel(at, tick=False), self.captureOnCommitCallbacks(execute=True):
            return actions.sign_discharge(summary, acting_user=self.alvarez)

    def fill_group(self) -> tuple[Enrollment, Enrollment]:
        """Seat Quinn and Robin beside Pat (3 of 3 seats), then Sky and Lee wait, in order."""
        robin, sky, lee = (
            self.make_participant(f"{name.lower()}@example.org", name, "Example", "")
            for name in ("Robin", "Sky", "Lee")
        )
        with time_machine.travel(REFERRED + timedelta(hours=1), tick=False):
            for person in (self.quinn, robin):
                scheduling.admit(
                    person, self.group, starts_on=date(2026, 1, 5), acting_user=self.dana
                )
            first = scheduling.admit(
                sky, self.group, starts_on=date(2026, 1, 5), acting_user=self.dana
            )
        with time_machine.travel(REFERRED + timedelta(hours=2), tick=False):
            second = scheduling.admit(
                lee, self.group, starts_on=date(2026, 1, 5), acting_user=self.dana
            )
        return first, second
