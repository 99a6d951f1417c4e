"""A stand-in for the plan editor's `copy_plan_for_review` (careplans.actions.plans), used
only while that branch has not landed: `use_copy_stub(self)` in setUp patches it in when the
real one is missing, and does nothing once it exists. Integrator: delete this module and its
calls once the real action is wired."""

import uuid
from typing import Any
from unittest import mock

from openiop.careplans.actions import reviews
from openiop.careplans.models import TreatmentPlan


def copy_plan_for_review(plan: TreatmentPlan, *, reason: str, acting_user: Any) -> TreatmentPlan:
    problems = list(plan.problems.prefetch_related("diagnoses", "goals__objectives"))
    interventions = list(plan.interventions.prefetch_related("objectives"))
    new = TreatmentPlan.objects.create(
        **{
            f.name: getattr(plan, f.name)
            for f in TreatmentPlan._meta.concrete_fields
            if f.name
            not in (
                "id",
                "code",
                "status",
                "number",
                "previous",
                "reason",
                "effective_at",
                "review_due_on",
                "certified_weekly_hours",
                "created_by",
                "created_at",
                "updated_at",
                "edit_version",
            )
        },
        number=plan.number + 1,
        previous=plan,
        reason=reason,
        created_by=acting_user,
    )
    objectives = {}
    for problem in problems:
        goals = list(problem.goals.all())
        diagnoses = list(problem.diagnoses.all())
        problem.pk = None
        problem.id = None
        problem.code = _new_code()
        problem.plan = new
        problem.save()
        problem.diagnoses.set(diagnoses)
        for goal in goals:
            goal_objectives = list(goal.objectives.all())
            goal.pk = None
            goal.id = None
            goal.code = _new_code()
            goal.problem = problem
            goal.save()
            for objective in goal_objectives:
                old = objective.pk
                objective.pk = None
                objective.id = None
                objective.code = _new_code()
                objective.goal = goal
                objective.save()
                objectives[old] = objective
    for intervention in interventions:
        linked = [objectives[o.pk] for o in intervention.objectives.all() if o.pk in objectives]
        intervention.pk = None
        intervention.id = None
        intervention.code = _new_code()
        intervention.plan = new
        intervention.booked_session_codes = []
        intervention.booked_at = None
        intervention.save()
        intervention.objectives.set(linked)
    return new


def _new_code() -> uuid.UUID:
    return uuid.uuid4()


def use_copy_stub(case: Any) -> None:
    if reviews.copy_plan_for_review is not None:
        return
    patcher = mock.patch.object(reviews, "copy_plan_for_review", copy_plan_for_review)
    patcher.start()
    case.addCleanup(patcher.stop)
