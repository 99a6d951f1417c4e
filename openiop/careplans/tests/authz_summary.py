"""The careplans rows of the authorisation matrix (openiop/tests/test_authz_matrix.py).

The clinical summary follows the chart's rules: staff who may read the chart read it (the
participant reads their own), staff who may change the chart change it, and a participant
never changes it directly.
"""

import uuid
from typing import Any

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    Entry,
    chart_kwargs,
)

SUMMARY_READERS = {**STAFF_CHART_READERS, "pat": 200}
OTHER_SUMMARY_READERS = {**OTHER_STAFF_READERS, "quinn": 200}
SUMMARY_WRITERS = {**STAFF_CHART_WRITERS, "pat": 403}
OTHER_SUMMARY_WRITERS = {**OTHER_STAFF_READERS, "quinn": 403}


def _redirects(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


def summary_add_kwargs(case: Any, target: str) -> dict:
    return {**chart_kwargs(case, target), "kind": "problem"}


def summary_item_kwargs(case: Any, target: str) -> dict:
    """A current diagnosis on the target chart."""
    from openiop.careplans.models import Diagnosis

    if target == "missing":
        return {"code": uuid.uuid4(), "kind": "diagnosis", "item": uuid.uuid4()}
    participant = case.pat if target == "own" else case.quinn
    diagnosis, _ = Diagnosis.objects.get_or_create(
        participant=participant,
        icd10_code="F33.1",
        defaults={"description": "Synthetic", "updated_by": case.dana},
    )
    return {"code": participant.code, "kind": "diagnosis", "item": diagnosis.code}


GET_AND_POST = {"careplans:summary_edit"}

MATRIX: dict[str, Entry] = {
    "careplans:summary": Entry(
        "GET", SUMMARY_READERS, chart_kwargs, other=OTHER_SUMMARY_READERS, audits=1
    ),
    "careplans:summary_add": Entry(
        "POST",
        _redirects(SUMMARY_WRITERS),
        summary_add_kwargs,
        other=_redirects(OTHER_SUMMARY_WRITERS),
        data={"problem-description": "Synthetic problem"},
    ),
    "careplans:summary_edit": Entry(
        "GET", SUMMARY_WRITERS, summary_item_kwargs, other=OTHER_SUMMARY_WRITERS, audits=1
    ),
    "careplans:summary_remove": Entry(
        "POST",
        _redirects(SUMMARY_WRITERS),
        summary_item_kwargs,
        other=_redirects(OTHER_SUMMARY_WRITERS),
        data={"remove-version": "1", "remove-status": "resolved"},
    ),
    "careplans:summary_history": Entry(
        "GET", SUMMARY_READERS, summary_item_kwargs, other=OTHER_SUMMARY_READERS, audits=1
    ),
}
