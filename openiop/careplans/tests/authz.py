"""careplans' rows of the authorisation matrix (openiop/tests/test_authz_matrix.py)."""

import uuid
from typing import Any

from openiop.careplans.tests import authz_signing, authz_summary
from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    Entry,
    chart_kwargs,
)


def intervention_kwargs(case: Any, target: str) -> dict:
    """A weekly individual-therapy intervention of the target participant's plan in effect."""
    from openiop.careplans.models import Intervention, TreatmentPlan

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant, person = (case.pat, case.alvarez) if target == "own" else (case.quinn, case.chen)
    plan, _ = TreatmentPlan.objects.get_or_create(
        participant=participant,
        status=TreatmentPlan.Status.ACTIVE,
        defaults={"created_by": person},
    )
    intervention, _ = Intervention.objects.get_or_create(
        plan=plan,
        modality=Intervention.Modality.INDIVIDUAL,
        defaults={
            "frequency": Intervention.Frequency.WEEKLY,
            "duration_minutes": 50,
            "length_weeks": 4,
            "responsible_person": person,
        },
    )
    return {"code": intervention.code}


def _plan(case: Any, target: str, status: str) -> Any:
    """Pat's ("own") or Quinn's ("other") plan in `status`, made once per test."""
    from openiop.careplans.models import TreatmentPlan
    from openiop.careplans.tests.plan_fixtures import make_plan

    participant = case.pat if target == "own" else case.quinn
    plan = TreatmentPlan.objects.filter(participant=participant, status=status).first()
    if plan is None:
        plan = make_plan(participant, created_by=case.dana, status=status)
    return plan


def draft_plan_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _plan(case, target, "draft").code}


def active_plan_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _plan(case, target, "active").code}


def new_goal_kwargs(case: Any, target: str) -> dict:
    return {**draft_plan_kwargs(case, target), "kind": "goal"}


def objective_kwargs(case: Any, target: str) -> dict:
    """An objective of the target's draft plan."""
    from openiop.careplans.models import Objective

    if target == "missing":
        return {"code": uuid.uuid4(), "kind": "objective", "item": uuid.uuid4()}
    plan = _plan(case, target, "draft")
    objective = Objective.objects.filter(goal__problem__plan=plan)[0]
    return {"code": plan.code, "kind": "objective", "item": objective.code}


def _redirects(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


OTHER_WRITERS_302 = _redirects(OTHER_STAFF_READERS)

MATRIX = {
    # Staff pages; the participant reads and signs their plan on the signing pages.
    "careplans:plans": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "careplans:plan_new": Entry(
        "POST", _redirects(STAFF_CHART_WRITERS), chart_kwargs, other=OTHER_WRITERS_302
    ),
    "careplans:plan": Entry(
        "GET", STAFF_CHART_READERS, draft_plan_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "careplans:plan_edit": Entry(
        "GET", STAFF_CHART_WRITERS, draft_plan_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "careplans:plan_item_new": Entry(
        "GET", STAFF_CHART_WRITERS, new_goal_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "careplans:plan_item_edit": Entry(
        "GET", STAFF_CHART_WRITERS, objective_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "careplans:plan_item_remove": Entry(
        "POST", _redirects(STAFF_CHART_WRITERS), objective_kwargs, other=OTHER_WRITERS_302
    ),
    # The participant gets a copy of their own plan once it is theirs to sign or in effect.
    "careplans:plan_pdf": Entry(
        "GET",
        {**STAFF_CHART_READERS, "pat": 200},
        active_plan_kwargs,
        other={**OTHER_STAFF_READERS, "quinn": 200},
        audits=1,
    ),
    # Booking the plan's sessions changes the chart: its writers; participants read their plan
    # but book nothing (403).
    "careplans:book_intervention": Entry(
        "GET",
        {**STAFF_CHART_WRITERS, "pat": 403},
        intervention_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 403},
        audits=1,
    ),
}

GET_AND_POST = {
    "careplans:plan_edit",
    "careplans:plan_item_new",
    "careplans:plan_item_edit",
    "careplans:book_intervention",
}


def _include(module: Any) -> None:
    """Rows kept beside each part of careplans (authz_<part>.py)."""
    overlap = set(MATRIX) & set(module.MATRIX)
    assert not overlap, f"{module.__name__} repeats matrix rows: {sorted(overlap)}"
    MATRIX.update(module.MATRIX)
    GET_AND_POST.update(getattr(module, "GET_AND_POST", set()))


_include(authz_summary)
_include(authz_signing)
