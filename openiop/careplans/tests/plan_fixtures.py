"""Treatment plans for tests: through the real intake flow, or built straight in the database."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from openiop.assessments import actions as assessment_actions
from openiop.assessments.actions import shipped_instrument
from openiop.careplans.models import (
    Diagnosis,
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    TreatmentPlan,
)
from openiop.intake import actions as intake
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.participants.models import Participant

# A Tuesday afternoon in New York; tests that depend on the date travel here.
NOW = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
TODAY = date(2026, 12, 8)

OWN_WORDS = "I want to get back to work and stop feeling so flat."
STRENGTHS = "Curious, a loyal sister, walks every day."


def answer_phq9(case: Any, participant: Participant) -> None:
    """A submitted PHQ-9 with a total of 16 (moderately severe), item 9 answered 0."""
    assignment = assessment_actions.assign_instrument(
        participant, shipped_instrument("phq-9"), acting_user=case.alvarez
    )
    answers = {str(n): "LA6570-1" for n in range(1, 9)} | {"9": "LA6568-5"}
    assessment_actions.answer(
        assignment,
        answers,
        intent=assessment_actions.Intent.SUBMIT,
        acting_user=case.alvarez,
        source="clinician",
    )


def admit_through_intake(
    case: Any,
    participant: Participant,
    *,
    diagnoses: tuple[str, ...] = ("F33.1", "F41.1"),
    scores: bool = True,
) -> EpisodeOfCare:
    """Referral → screening → assessment → level of care → admission, by the real actions."""
    referral = Referral.objects.create(
        participant=participant,
        program=case.program,
        source=Referral.Source.PRIMARY_CARE,
        reason="Synthetic referral",
        consent_to_contact=True,
        created_by=case.ivy,
    )
    intake.record_screening(referral, proceed=True, note="", referred_to="", acting_user=case.ivy)
    if scores:
        answer_phq9(case, participant)
    intake.save_assessment(
        referral,
        fields={
            "presenting_problem": "Low mood for three months",
            "strengths": STRENGTHS,
            "goals": OWN_WORDS,
            "functional_impairment": "moderate",
            "clinician_risk": "low",
            "weekly_hours_needed": Decimal("9"),
            "needs_24_hour_care": False,
            "diagnoses": list(diagnoses),
        },
        acting_user=case.alvarez,
    )
    referral.refresh_from_db()
    intake.decide_level_of_care(
        referral, chosen_level="iop", variance_reason="Synthetic", acting_user=case.dana
    )
    return intake.admit(referral, acting_user=case.ivy)


def chart_diagnosis(case: Any, participant: Participant, code: str, text: str) -> Diagnosis:
    """The chart's diagnosis `code` (admission brings intake's codes onto the chart already)."""
    diagnosis, _ = Diagnosis.objects.update_or_create(
        participant=participant,
        icd10_code=code,
        defaults={
            "description": text,
            "rank": Diagnosis.Rank.PRIMARY,
            "source": Diagnosis.Source.INTAKE,
            "updated_by": case.ivy,
        },
    )
    return diagnosis


def make_plan(
    participant: Participant,
    *,
    created_by: Any,
    status: str = TreatmentPlan.Status.DRAFT,
    problems: int = 1,
    goals: int = 1,
    objectives: int = 1,
    interventions: int = 1,
    today: date = TODAY,
    responsible: Any = None,
) -> TreatmentPlan:
    """A complete plan in one go: `problems` × `goals` × `objectives`, and `interventions`,
    each intervention serving every objective."""
    plan = TreatmentPlan.objects.create(
        participant=participant,
        status=status,
        level_of_care="iop",
        strengths="Keeps a journal",
        anticipated_discharge_on=today + timedelta(weeks=8),
        review_due_on=today + timedelta(days=30),
        created_by=created_by,
    )
    made: list[Objective] = []
    for p in range(problems):
        problem = PlanProblem.objects.create(
            plan=plan,
            position=p,
            in_own_words=f"Own words {p + 1}",
            clinical_statement=f"Clinical statement {p + 1}",
        )
        for g in range(goals):
            goal = Goal.objects.create(problem=problem, position=g, text=f"Goal {p + 1}.{g + 1}")
            for o in range(objectives):
                made.append(
                    Objective.objects.create(
                        goal=goal,
                        position=o,
                        text=f"Objective {p + 1}.{g + 1}.{o + 1}",
                        target_date=today + timedelta(weeks=6),
                        measure="phq-9",
                        measure_comparator="lte",
                        measure_target=9,
                    )
                )
    for i in range(interventions):
        intervention = Intervention.objects.create(
            plan=plan,
            position=i,
            modality=Intervention.Modality.INDIVIDUAL,
            description=f"Intervention {i + 1}",
            frequency=Intervention.Frequency.WEEKLY,
            duration_minutes=50,
            length_weeks=8,
            responsible_discipline="psychologist",
            responsible_person=responsible or created_by,
        )
        intervention.objectives.set(made)
    return plan
