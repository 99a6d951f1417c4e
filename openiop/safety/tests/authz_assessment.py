"""Authorisation-matrix rows of the brief safety assessment (collected by authz.py).

Reaching an assessment: staff who may read the chart, and whoever receives the alert it was
started from (Dr. Chen, on call, for Pat's). Writing one: a licensed clinician who may act on
the alert or change the chart (not Sam, a peer specialist with read-only access, nor Ivy, an
intake coordinator); changing or signing a draft: its author only.
"""

import uuid
from typing import Any

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    PARTICIPANTS_404,
    STAFF_CHART_READERS,
    Entry,
    alert_kwargs,
    chart_kwargs,
)


def assessment_kwargs(case: Any, target: str) -> dict:
    """A draft assessment started from the target participant's open alert: Pat's by
    Dr. Alvarez, Quinn's by Dr. Chen."""
    from django.utils import timezone

    from openiop.safety.models import SafetyAlert, SafetyAssessment

    if target == "missing":
        return {"code": uuid.uuid4()}
    alert = SafetyAlert.objects.get(code=alert_kwargs(case, target)["code"])
    author = case.alvarez if target == "own" else case.chen
    assessment, _ = SafetyAssessment.objects.get_or_create(
        participant=alert.participant,
        alert=alert,
        author=author,
        defaults={"started_at": timezone.now()},
    )
    return {"code": assessment.code}


COMPLETE = {
    "edit_version": "1",
    "risk_factors": "Synthetic risk factors",
    "protective_factors": "Synthetic protective factors",
    "recent_behaviour": "Synthetic: no recent behaviour",
    "lethal_means": "none_known",
    "risk_level": "moderate",
    "formulation": "Synthetic formulation",
    "disposition": "safety_plan",
}

# Only the author writes: everyone else who reaches the assessment gets a 403.
AUTHOR_ONLY = {
    "dana": 403,
    "alvarez": 200,
    "sam": 403,
    "chen": 403,
    "ivy": 403,
    "admin": 404,
    **PARTICIPANTS_404,
}
OTHER_AUTHOR_ONLY = {"dana": 403, "chen": 200, "ivy": 403}


def _as(status: int, expect: dict[str, int]) -> dict[str, int]:
    return {role: status if code == 200 else code for role, code in expect.items()}


GET_AND_POST = {"safety:assessment_edit"}

MATRIX: dict[str, Entry] = {
    # From the alert: who may act on it, if a licensed clinician (Sam reads the alert only;
    # Dana directs the program, so she may act on its alerts, and is a psychologist).
    "safety:assessment_start": Entry(
        "POST",
        {
            "dana": 302,
            "alvarez": 302,
            "sam": 403,
            "chen": 302,
            "ivy": 404,
            "admin": 404,
            **PARTICIPANTS_404,
        },
        alert_kwargs,
        other={"chen": 302, "dana": 302},
    ),
    "safety:assessment_list": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    # From the chart: write access and a licensed clinician (Ivy may change the chart but is
    # not a clinician; Dana directs and is a psychologist).
    "safety:assessment_start_chart": Entry(
        "POST",
        {
            "dana": 302,
            "alvarez": 302,
            "sam": 403,
            "chen": 404,
            "ivy": 403,
            "admin": 404,
            **PARTICIPANTS_404,
        },
        chart_kwargs,
        other={"dana": 302, "chen": 302, "ivy": 403},
    ),
    # Reading: the chart's readers and the alert's recipients (Dr. Chen, on call).
    "safety:assessment": Entry(
        "GET",
        {**STAFF_CHART_READERS, "chen": 200},
        assessment_kwargs,
        other=OTHER_STAFF_READERS,
        audits=1,
    ),
    "safety:assessment_edit": Entry(
        "GET", AUTHOR_ONLY, assessment_kwargs, other=OTHER_AUTHOR_ONLY, audits=1
    ),
    # JSON for every outcome: 401 rather than a redirect when signed out.
    "safety:assessment_autosave": Entry(
        "POST",
        {**AUTHOR_ONLY, "anonymous": 401},
        assessment_kwargs,
        other=OTHER_AUTHOR_ONLY,
        data={"edit_version": "1", "risk_factors": "Synthetic"},
    ),
    "safety:assessment_sign": Entry(
        "POST",
        _as(302, AUTHOR_ONLY),
        assessment_kwargs,
        other=_as(302, OTHER_AUTHOR_ONLY),
        data=COMPLETE,
    ),
}
