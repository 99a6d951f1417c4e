"""The notes app's rows of the authorisation matrix (openiop/tests/authz.py explains them)."""

import uuid
from typing import Any

from openiop.tests.authz import NOBODY, STAFF_CHART_READERS, Entry, chart_kwargs

# Psychotherapy notes (CLINICAL.md §6.2) ----------------------------------------------------
# A note is its author's alone: Dr. Alvarez's note about Pat is 404 for everyone else, the
# director, the co-facilitator (Sam), the participant and the administrator included; Dr.
# Chen's note about Quinn likewise. Keeping notes about a participant is for mental-health
# professionals who may open the chart: Dr. Alvarez and Dana (a psychologist) for Pat, Dr.
# Chen and Dana for Quinn; Sam (peer specialist), Ivy (no clinical discipline), the
# administrator and participants get 404.
PSYCHOTHERAPY_KEEPERS = {**NOBODY, "dana": 200, "alvarez": 200}
PSYCHOTHERAPY_KEEPERS_OTHER = {"dana": 200, "chen": 200}
AUTHOR_ONLY = {**NOBODY, "alvarez": 200}


def psychotherapy_note_kwargs(case: Any, target: str) -> dict:
    """Dr. Alvarez's note about Pat ("own"), Dr. Chen's about Quinn ("other")."""
    from openiop.notes.psychotherapy.actions import write_note

    if target == "missing":
        return {"code": uuid.uuid4()}
    cache = case.__dict__.setdefault("_psychotherapy_notes", {})
    if target not in cache:
        author, participant = (
            (case.alvarez, case.pat) if target == "own" else (case.chen, case.quinn)
        )
        cache[target] = write_note(participant, text="Synthetic.", acting_user=author)
    return {"code": cache[target].code}


MATRIX = {
    # The full record: whoever reads the chart, the participant included (right of access).
    "notes:record_pdf": Entry(
        "GET",
        {**STAFF_CHART_READERS, "pat": 200},
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 200},
        audits=1,
    ),
    "notes:psychotherapy_list": Entry(
        "GET",
        PSYCHOTHERAPY_KEEPERS,
        chart_kwargs,
        other=PSYCHOTHERAPY_KEEPERS_OTHER,
        audits=1,
    ),
    "notes:psychotherapy_new": Entry(
        "GET",
        PSYCHOTHERAPY_KEEPERS,
        chart_kwargs,
        other=PSYCHOTHERAPY_KEEPERS_OTHER,
        audits=1,
    ),
    "notes:psychotherapy_note": Entry(
        "GET", AUTHOR_ONLY, psychotherapy_note_kwargs, other={"chen": 200}, audits=1
    ),
    "notes:psychotherapy_edit": Entry(
        "GET", AUTHOR_ONLY, psychotherapy_note_kwargs, other={"chen": 200}, audits=1
    ),
}

GET_AND_POST = {"notes:psychotherapy_new", "notes:psychotherapy_edit"}
