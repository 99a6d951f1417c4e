"""Treatment plans built straight with the ORM, for the signing and review tests.

Pat's plan: one problem in her words, one goal, two dated objectives (one with a PHQ-9 target)
and two interventions (weekly individual therapy with Dr. Alvarez, the DBT skills group).
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from openiop.accounts.models import User
from openiop.careplans.content import load_content, plan_hash
from openiop.careplans.models import (
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    PlanSignature,
    TreatmentPlan,
)
from openiop.careplans.signatures import attestation
from openiop.intake.models import EpisodeOfCare, LevelOfCareDecision, Referral
from openiop.participants.models import Participant


def make_plan(
    participant: Participant,
    *,
    author: User,
    status: str = TreatmentPlan.Status.DRAFT,
    responsible: User | None = None,
    target: date = date(2026, 4, 30),
    **fields: Any,
) -> TreatmentPlan:
    plan = TreatmentPlan.objects.create(
        participant=participant,
        status=status,
        level_of_care=fields.pop("level_of_care", "iop"),
        strengths="Curious, keeps a journal, a supportive sister.",
        preferences="Evening sessions after work.",
        barriers="Shift work some weeks.",
        technology_barriers="Shares a laptop with a roommate.",
        discharge_criteria="PHQ-9 below 10 for two weeks and a relapse-prevention plan.",
        anticipated_discharge_on=date(2026, 5, 29),
        created_by=author,
        **fields,
    )
    problem = PlanProblem.objects.create(
        plan=plan,
        in_own_words="I can't get out of bed and I've stopped seeing friends.",
        clinical_statement="Major depressive episode with social withdrawal (PHQ-9 = 18).",
        assessment_findings="PHQ-9 18 at intake.",
    )
    goal = Goal.objects.create(problem=problem, text="Get back to the things that matter to me.")
    mood = Objective.objects.create(
        goal=goal,
        text="Lower depressive symptoms.",
        target_date=target,
        measure="phq-9",
        measure_comparator=Objective.Comparator.AT_MOST,
        measure_target=9,
        position=0,
    )
    friends = Objective.objects.create(
        goal=goal, text="See a friend once a week.", target_date=target, position=1
    )
    individual = Intervention.objects.create(
        plan=plan,
        modality=Intervention.Modality.INDIVIDUAL,
        description="Behavioural activation.",
        frequency=Intervention.Frequency.WEEKLY,
        duration_minutes=50,
        length_weeks=8,
        responsible_discipline=User.Discipline.PSYCHOLOGIST,
        responsible_person=responsible or author,
        position=0,
    )
    individual.objectives.set([mood, friends])
    group = Intervention.objects.create(
        plan=plan,
        modality=Intervention.Modality.DBT_SKILLS_GROUP,
        frequency=Intervention.Frequency.THREE_TIMES_WEEKLY,
        duration_minutes=180,
        position=1,
    )
    group.objectives.set([mood])
    return plan


def current_hash(plan: TreatmentPlan) -> str:
    plan = TreatmentPlan.objects.select_related(
        "participant", "episode", "assessment", "previous"
    ).get(pk=plan.pk)
    load_content(plan)
    return plan_hash(plan)


def add_signature(plan: TreatmentPlan, role: str, user: User, **fields: Any) -> PlanSignature:
    """A signature row as the action would write it, without the action's checks."""
    hours = fields.pop("hours", Decimal("9.0") if role == PlanSignature.Role.PHYSICIAN else None)
    return PlanSignature.objects.create(
        plan=plan,
        role=role,
        signed_by=user,
        typed_name=fields.pop("typed_name", user.display_name),
        attestation=attestation(role, hours=hours),
        content_hash=fields.pop("content_hash", current_hash(plan)),
        signed_at=fields.pop("signed_at", timezone.now()),
    )


def make_episode(participant: Participant, *, by: User, level: str = "iop") -> EpisodeOfCare:
    """An admission straight in the database (intake's own tests walk the real steps)."""
    program = participant.program
    assert program is not None
    referral = Referral.objects.create(
        participant=participant,
        program=program,
        source=Referral.Source.SELF,
        reason="Synthetic",
        consent_to_contact=True,
        stage=Referral.Stage.ADMITTED,
        created_by=by,
    )
    return EpisodeOfCare.objects.create(
        participant=participant,
        program=program,
        referral=referral,
        level_of_care=level,
        admitted_at=timezone.now(),
        admitted_by=by,
    )


def decide_level(episode: EpisodeOfCare, *, level: str, by: User) -> LevelOfCareDecision:
    return LevelOfCareDecision.objects.create(
        referral=episode.referral,
        recommended_level=level,
        recommendation={},
        chosen_level=level,
        decided_by=by,
        decided_at=timezone.now(),
    )
