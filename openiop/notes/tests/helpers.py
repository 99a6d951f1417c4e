"""Builders the notes tests share: a session Pat attended, signed notes, a plan."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from openiop.careplans.models import (
    Allergy,
    Diagnosis,
    Goal,
    Intervention,
    Medication,
    Objective,
    PlanProblem,
    PlanSignature,
    TreatmentPlan,
)
from openiop.notes.models import Addendum, Note
from openiop.programs.models import Group, GroupFacilitator, Track
from openiop.scheduling.models import Booking, Session


def group_session(case: Any, *, participants: list[Any], start: datetime | None = None) -> Session:
    """An evening DBT session led by Dr. Alvarez with Sam as peer, `participants` booked."""
    start = start or datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    track, _ = Track.objects.get_or_create(
        program=case.program, name="Notes track", defaults={"starts_on": start.date()}
    )
    group, created = Group.objects.get_or_create(
        track=track, name="Evening DBT", defaults={"curriculum_starts_on": start.date()}
    )
    if created:
        GroupFacilitator.objects.create(group=group, clinician=case.alvarez, role="lead")
        GroupFacilitator.objects.create(group=group, clinician=case.sam, role="peer")
    session = Session.objects.create(
        program=case.program,
        group=group,
        kind=Session.Kind.GROUP,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        local_date=start.date(),
        local_starts_at=time(18),
        local_ends_at=time(21),
        timezone="America/New_York",
    )
    for participant in participants:
        Booking.objects.create(
            session=session, participant=participant, source=Booking.Source.ENROLLMENT
        )
    return session


def signed_note(
    participant: Any,
    author: Any,
    *,
    started_at: datetime,
    sections: dict[str, str] | None = None,
    kind: str = Note.Kind.INDIVIDUAL,
    session: Session | None = None,
    shared_text: str = "",
    individual_text: str = "",
    objectives: list[Objective] | None = None,
) -> Note:
    note = Note.objects.create(
        participant=participant,
        author=author,
        kind=kind,
        form=Note.Form.SOAP,
        session=session,
        started_at=started_at,
        ended_at=started_at + timedelta(minutes=50),
        participant_location="Home, New York",
        sections=sections or {},
        shared_text=shared_text,
        individual_text=individual_text,
        scores=[{"label": "PHQ-9", "value": 12, "band_label": "Moderate"}],
        risk_status=Note.Risk.NO_CONCERN,
        status=Note.Status.SIGNED,
        signed_by=author,
        signed_at=started_at + timedelta(hours=2),
        content_hash="0" * 64,
    )
    if objectives:
        note.objectives.set(objectives)
    return note


def addendum(note: Note, author: Any, text: str, *, reason: str = "Late entry") -> Addendum:
    return Addendum.objects.create(
        note=note,
        author=author,
        reason=reason,
        text=text,
        created_at=(note.signed_at or timezone.now()) + timedelta(days=1),
    )


def summary_and_plans(case: Any, participant: Any) -> tuple[TreatmentPlan, TreatmentPlan]:
    """A diagnosis, a medication, an allergy, and a plan in two versions (v1 superseded by v2,
    in effect), each with a problem, a goal, a SMART objective and an intervention."""
    author = case.alvarez
    diagnosis = Diagnosis.objects.create(
        participant=participant,
        icd10_code="F33.1",
        description="Major depressive disorder, recurrent, moderate",
        rank=Diagnosis.Rank.PRIMARY,
        onset_on=date(2025, 11, 1),
        updated_by=author,
    )
    Medication.objects.create(
        participant=participant,
        name="Sertraline",
        dose="100 mg by mouth daily",
        prescriber="Dr. Wei Chen",
        started_on=date(2025, 12, 1),
        updated_by=author,
    )
    Allergy.objects.create(
        participant=participant,
        substance="Penicillin",
        reaction="Hives",
        severity=Allergy.Severity.MODERATE,
        updated_by=author,
    )
    plans = []
    previous = None
    for number, status in ((1, "superseded"), (2, "active")):
        effective_at = datetime(2026, 1, 5, 15, tzinfo=UTC) + timedelta(weeks=4 * (number - 1))
        plan = TreatmentPlan.objects.create(
            participant=participant,
            number=number,
            lineage=previous.lineage if previous else uuid.uuid4(),
            previous=previous,
            reason="initial" if number == 1 else "scheduled_review",
            status=status,
            level_of_care="IOP",
            strengths=f"Plan v{number} strengths: motivated, supportive sister.",
            discharge_criteria="PHQ-9 below 10 for two weeks.",
            effective_at=effective_at,
            created_by=author,
        )
        problem = PlanProblem.objects.create(
            plan=plan,
            in_own_words="I can't get out of bed.",
            clinical_statement=f"Plan v{number}: depressed mood with anhedonia.",
        )
        problem.diagnoses.add(diagnosis)
        goal = Goal.objects.create(problem=problem, text="Return to work part-time.")
        objective = Objective.objects.create(
            goal=goal,
            text=f"Plan v{number} objective: PHQ-9 at most 9.",
            target_date=date(2026, 3, 12),
            measure="phq9",
            measure_comparator="lte",
            measure_target=9,
        )
        intervention = Intervention.objects.create(
            plan=plan,
            modality=Intervention.Modality.INDIVIDUAL,
            frequency=Intervention.Frequency.WEEKLY,
            duration_minutes=50,
            responsible_person=author,
        )
        intervention.objectives.add(objective)
        PlanSignature.objects.create(
            plan=plan,
            role=PlanSignature.Role.PRIMARY_CLINICIAN,
            signed_by=author,
            typed_name="Rosa Alvarez",
            attestation="Reviewed with the participant.",
            content_hash="0" * 64,
            signed_at=effective_at,
        )
        plans.append(plan)
        previous = plan
    return plans[0], plans[1]
