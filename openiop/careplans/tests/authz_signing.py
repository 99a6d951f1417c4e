"""careplans' rows of the authorisation matrix (collected by openiop/tests/test_authz_matrix.py).

Each participant has a plan in two versions: version 1 in effect, version 2 (its review) whose
status each row sets as it needs it: a draft to submit, awaiting signatures to sign.
"""

import uuid
from datetime import date
from typing import Any

from openiop.careplans.models import TreatmentPlan
from openiop.careplans.tests.plan_fixture import current_hash, make_plan
from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    STAFF_OK,
    Entry,
)

Status = TreatmentPlan.Status


def _versions(case: Any, target: str) -> tuple[TreatmentPlan, TreatmentPlan]:
    """The target's plan in effect and its review version. Other careplans rows may have made
    a plan in effect and an open draft already (one of each per participant at most): they
    become version 1 and its review, so every row sees one consistent chart."""
    participant = case.pat if target == "own" else case.quinn
    author = case.alvarez if target == "own" else case.chen
    first = TreatmentPlan.objects.filter(participant=participant, status=Status.ACTIVE).first()
    if first is None:
        first = make_plan(
            participant, author=author, status=Status.ACTIVE, review_due_on=date(2026, 12, 1)
        )
    second = TreatmentPlan.objects.filter(previous=first).first()
    if second is None:
        open_plan = TreatmentPlan.objects.filter(
            participant=participant, status__in=[Status.DRAFT, Status.AWAITING_SIGNATURES]
        ).first()
        if open_plan is not None:
            TreatmentPlan.objects.filter(pk=open_plan.pk).update(
                lineage=first.lineage,
                number=first.number + 1,
                previous=first,
                reason=TreatmentPlan.Reason.SCHEDULED_REVIEW,
            )
            second = TreatmentPlan.objects.get(pk=open_plan.pk)
        else:
            second = make_plan(
                participant,
                author=author,
                lineage=first.lineage,
                number=first.number + 1,
                previous=first,
                reason=TreatmentPlan.Reason.SCHEDULED_REVIEW,
            )
    return first, second


def _missing(target: str) -> dict | None:
    return {"code": uuid.uuid4()} if target == "missing" else None


def review_kwargs(case: Any, target: str) -> dict:
    """The version in effect (a review of it is already under way: the action says so)."""
    if missing := _missing(target):
        return missing
    return {"code": _versions(case, target)[0].code}


def version_kwargs(status: str) -> Any:
    """Version 2, put in `status` first."""

    def kwargs(case: Any, target: str) -> dict:
        if missing := _missing(target):
            return missing
        second = _versions(case, target)[1]
        TreatmentPlan.objects.filter(pk=second.pk).update(status=status)
        return {"code": second.code}

    return kwargs


# The participant signs what the page showed: the hash of the plan as it stands, which the
# row's kwargs put in the posted data just before each request.
PARTICIPANT_SIGNATURE = {"agree": "on", "typed_name": "Synthetic Participant"}


def participant_signing_kwargs(case: Any, target: str) -> dict:
    if missing := _missing(target):
        return missing
    second = _versions(case, target)[1]
    TreatmentPlan.objects.filter(pk=second.pk).update(status=Status.AWAITING_SIGNATURES)
    PARTICIPANT_SIGNATURE["signed_hash"] = current_hash(second)
    return {"code": second.code}


def _posted(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


STAFF_WRITES = _posted(STAFF_CHART_WRITERS)
OTHER_STAFF_WRITES = {"dana": 302, "chen": 302, "ivy": 302}
PARTICIPANT_PAGE = {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}

MATRIX = {
    "careplans:sign": Entry(
        "GET",
        STAFF_CHART_READERS,
        version_kwargs(Status.AWAITING_SIGNATURES),
        other=OTHER_STAFF_READERS,
        audits=1,
    ),
    "careplans:submit": Entry(
        "POST", STAFF_WRITES, version_kwargs(Status.DRAFT), other=OTHER_STAFF_WRITES
    ),
    "careplans:return_to_draft": Entry(
        "POST",
        STAFF_WRITES,
        version_kwargs(Status.AWAITING_SIGNATURES),
        other=OTHER_STAFF_WRITES,
    ),
    "careplans:start_review": Entry(
        "POST",
        STAFF_WRITES,
        review_kwargs,
        other=OTHER_STAFF_WRITES,
        data={"reason": "scheduled_review"},
    ),
    "careplans:plan_diff": Entry(
        "GET",
        STAFF_CHART_READERS,
        version_kwargs(Status.DRAFT),
        other=OTHER_STAFF_READERS,
        audits=1,
    ),
    # The participant's own pages record no read (docs/permissions.md).
    "careplans:my_plan": Entry("GET", PARTICIPANT_PAGE, audits=0),
    "careplans:my_plan_sign": Entry(
        "POST",
        {**{r: 404 for r in STAFF_OK}, "pat": 302, "quinn": 404},
        participant_signing_kwargs,
        other={"quinn": 302},
        data=PARTICIPANT_SIGNATURE,
    ),
}
GET_AND_POST = {"careplans:sign"}
