"""Safety plan rows of the authorisation matrix (collected by openiop/safety/tests/authz.py).

Plans follow the chart: staff who read the chart read the plan (Sam, the peer specialist, and
Ivy, the intake coordinator, read only); licensed clinicians and directors who may change the
chart write and sign it. Dr. Chen reaches Pat's plan only through an open alert (see
test_plans.py), not here. Participants reach only their own plan in use, at /safety/my-plan/.
"""

import uuid
from typing import Any

from openiop.tests.authz import (
    NOBODY,
    OTHER_STAFF_READERS,
    ROLES,
    STAFF_CHART_READERS,
    Entry,
    chart_kwargs,
)

PLAN_WRITERS = {**STAFF_CHART_READERS, "sam": 403, "ivy": 403}
OTHER_PLAN_WRITERS = {"dana": 200, "chen": 200, "ivy": 403}


def _redirects(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


def _plan(case: Any, target: str, status: str) -> dict:
    from django.utils import timezone

    from openiop.safety.models import SafetyPlan

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = case.pat if target == "own" else case.quinn
    plan, _ = SafetyPlan.objects.get_or_create(
        participant=participant,
        status=status,
        defaults={
            "version": 1 if status == SafetyPlan.Status.ACTIVE else 2,
            "created_by": case.alvarez,
            "created_at": timezone.now(),
            "signed_by": case.alvarez if status == SafetyPlan.Status.ACTIVE else None,
            "signed_at": timezone.now() if status == SafetyPlan.Status.ACTIVE else None,
            "content_hash": "0" * 64 if status == SafetyPlan.Status.ACTIVE else "",
        },
    )
    return {"code": plan.code}


def draft_kwargs(case: Any, target: str) -> dict:
    return _plan(case, target, "draft")


def active_kwargs(case: Any, target: str) -> dict:
    return _plan(case, target, "active")


EVERYONE_ELSE_404 = {r: 404 for r in ROLES if r != "anonymous"}

GET_AND_POST = {"safety:plan"}

MATRIX: dict[str, Entry] = {
    "safety:participant_plans": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "safety:plan_start": Entry(
        "POST", _redirects(PLAN_WRITERS), chart_kwargs, other=_redirects(OTHER_PLAN_WRITERS)
    ),
    "safety:plan": Entry(
        "GET", STAFF_CHART_READERS, draft_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "safety:plan_review": Entry(
        "POST",
        _redirects(PLAN_WRITERS),
        active_kwargs,
        other=_redirects(OTHER_PLAN_WRITERS),
        data={"reason": "routine", "outcome": "unchanged", "note": "Went over it together."},
    ),
    "safety:plan_pdf": Entry(
        "GET", STAFF_CHART_READERS, active_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    # The participant's own plan; staff have no "own plan" (404). The rows above leave a plan
    # in use for Pat and Quinn (their fixtures are made outside each request's savepoint), so
    # both read their PDF; with no plan the PDF and the acknowledgement go back to the page.
    "safety:my_plan": Entry("GET", {**NOBODY, "pat": 200, "quinn": 200}, audits=0),
    "safety:my_plan_acknowledge": Entry("POST", {**NOBODY, "pat": 302, "quinn": 302}),
    "safety:my_plan_pdf": Entry("GET", {**NOBODY, "pat": 200, "quinn": 200}, audits=0),
    # The service worker holds no data and must load for anyone (it is fetched by the browser).
    "safety:my_plan_worker": Entry("GET", {**{r: 200 for r in ROLES}, "anonymous": 200}, audits=0),
}
