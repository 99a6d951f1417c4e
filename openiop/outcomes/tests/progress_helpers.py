"""Scores and sessions for the progress tests, written straight to the tables (the actions that
normally make them are tested in assessments and scheduling)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Assignment, Response

# A Friday noon in New York; the tests freeze time here.
NOW = datetime(2026, 3, 20, 16, 0, tzinfo=UTC)


def add_score(participant: Any, key: str, value: int, at: datetime) -> Response:
    instrument = shipped_instrument(key)
    assignment = Assignment.objects.create(
        participant=participant,
        instrument=instrument,
        assigned_by=participant.user,
        status=Assignment.Status.COMPLETED,
        completed_at=at,
    )
    return Response.objects.create(
        assignment=assignment,
        participant=participant,
        instrument=instrument,
        status=Response.Status.SUBMITTED,
        source=Response.Source.PARTICIPANT,
        answers={},
        started_by=participant.user,
        submitted_by=participant.user,
        submitted_at=at,
        complete=True,
        scores={"total": {"label": key.upper(), "value": value}},
    )


def add_weekly(participant: Any, key: str, values: list[int], *, last: datetime = NOW) -> None:
    """`values` a week apart, the last at `last`."""
    for weeks_ago, value in zip(range(len(values) - 1, -1, -1), values, strict=True):
        add_score(participant, key, value, last - timedelta(weeks=weeks_ago))


def add_session(participant: Any, at: datetime, attendance: str, clinician: Any) -> Any:
    """An individual appointment at `at` with its attendance ("present", "absent"…)."""
    from datetime import time

    from openiop.scheduling.models import Booking, Session

    session = Session.objects.create(
        program=participant.program,
        kind=Session.Kind.INDIVIDUAL,
        clinician=clinician,
        starts_at=at,
        ends_at=at + timedelta(hours=1),
        local_date=at.date(),
        local_starts_at=time(10),
        local_ends_at=time(11),
        timezone="America/New_York",
    )
    return Booking.objects.create(
        session=session,
        participant=participant,
        source=Booking.Source.APPOINTMENT,
        attendance=attendance,
        minutes_attended=0 if attendance in ("absent", "excused") else 60,
    )


def add_objective(
    participant: Any, *, measure: str, comparator: str, target: int, by: Any, author: Any
) -> Any:
    """An objective with a measure target in an active treatment plan."""
    from openiop.careplans.models import Goal, Objective, PlanProblem, TreatmentPlan

    plan = TreatmentPlan.objects.filter(
        participant=participant, status=TreatmentPlan.Status.ACTIVE
    ).first() or TreatmentPlan.objects.create(
        participant=participant, status=TreatmentPlan.Status.ACTIVE, created_by=author
    )
    problem = PlanProblem.objects.create(
        plan=plan, in_own_words="I feel low most days.", clinical_statement="Depressed mood."
    )
    goal = Goal.objects.create(problem=problem, text="Feel better.")
    return Objective.objects.create(
        goal=goal,
        text=f"{measure.upper()} {comparator} {target}",
        target_date=by,
        measure=measure,
        measure_comparator=comparator,
        measure_target=target,
    )
