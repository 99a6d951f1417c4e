"""Authorisation-matrix rows of progress notes (openiop/tests/test_authz_matrix.py).

Own: Pat's notes by Dr. Alvarez (her appointment), other: Quinn's by Dr. Chen. Chart rules
decide who reads; only clinical staff write notes and addenda, only a draft's author edits it,
only an appointment's clinician starts its note, and participants read their own signed notes
on their own pages (the staff pages are 404 to them). Both signed notes await a co-signature by
a director (their authors have no supervisor), so Dana co-signs and nobody else.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from openiop.notes.tests import authz_group, authz_psych, authz_record
from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    Entry,
    chart_kwargs,
)

GET_AND_POST = {
    "notes:start_for_session",
    "notes:start_for_participant",
    "notes:edit",
    "notes:disclose",
}


def _fixture(case: Any) -> dict[str, Any]:
    """For each side: an appointment without a note, a draft and a signed note."""
    if hasattr(case, "_notes_fixture"):
        return case._notes_fixture  # type: ignore[no-any-return]
    from openiop.notes import actions
    from openiop.notes.models import Note
    from openiop.notes.tests.progress_fixtures import appointment, complete_draft

    fixture: dict[str, Any] = {}
    for side, clinician, participant in (
        ("own", case.alvarez, case.pat),
        ("other", case.chen, case.quinn),
    ):
        undocumented = appointment(case, clinician, participant, starts_in=timedelta(hours=-2))
        drafted = appointment(case, clinician, participant, starts_in=timedelta(hours=-4))
        signed = complete_draft(
            clinician, participant, started_at=timezone.now() - timedelta(days=1)
        )
        actions.sign_note(signed, acting_user=clinician)
        Note.objects.filter(pk=signed.pk).update(cosign_required=True)
        fixture[side] = {
            "session": undocumented,
            "draft": complete_draft(clinician, participant, drafted),
            "signed": signed,
        }
    case._notes_fixture = fixture
    return fixture


def _note(kind: str) -> Any:
    def kwargs(case: Any, target: str) -> dict:
        if target == "missing":
            return {"code": uuid.uuid4()}
        return {"code": _fixture(case)[target][kind].code}

    return kwargs


def session_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _fixture(case)[target]["session"].code}


PARTICIPANTS_ONLY = {r: 404 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")}
AUTHOR_ONLY = {
    "dana": 403,
    "alvarez": 200,
    "sam": 403,
    "chen": 404,
    "ivy": 403,
    "admin": 404,
    "pat": 404,
    "quinn": 404,
}
OTHER_AUTHOR_ONLY = {"dana": 403, "chen": 200, "ivy": 403}
# Notes are written by clinical staff who may write the chart.
NOTE_WRITERS = {**AUTHOR_ONLY, "dana": 200}
OTHER_NOTE_WRITERS = {"dana": 200, "chen": 200, "ivy": 403}


def _redirecting(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


MATRIX: dict[str, Entry] = {
    # Sending records under a release: staff who may write the chart.
    "notes:disclose": Entry(
        "GET", STAFF_CHART_WRITERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "notes:note": Entry(
        "GET", STAFF_CHART_READERS, _note("signed"), other=OTHER_STAFF_READERS, audits=1
    ),
    "notes:pdf": Entry(
        "GET", STAFF_CHART_READERS, _note("signed"), other=OTHER_STAFF_READERS, audits=1
    ),
    "notes:participant_notes": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "notes:edit": Entry("GET", AUTHOR_ONLY, _note("draft"), other=OTHER_AUTHOR_ONLY, audits=1),
    "notes:autosave": Entry(
        "POST",
        {**AUTHOR_ONLY, "anonymous": 401},
        _note("draft"),
        other=OTHER_AUTHOR_ONLY,
        data={"edit_version": 1, "form": "soap", "telehealth_mode": "video"},
    ),
    # Only the appointment's clinician; a director sees the appointment but may not write it.
    "notes:start_for_session": Entry(
        "GET",
        {
            "dana": 403,
            "alvarez": 200,
            "sam": 404,
            "chen": 404,
            "ivy": 404,
            "admin": 404,
            "pat": 404,
            "quinn": 404,
        },
        session_kwargs,
        other={"dana": 403, "chen": 200},
        audits=1,
    ),
    "notes:start_for_participant": Entry(
        "GET", NOTE_WRITERS, chart_kwargs, other=OTHER_NOTE_WRITERS, audits=1
    ),
    "notes:addendum": Entry(
        "POST",
        _redirecting(NOTE_WRITERS),
        _note("signed"),
        other=_redirecting(OTHER_NOTE_WRITERS),
        data={"reason": "Late entry", "text": "Synthetic addendum."},
    ),
    "notes:cosign": Entry(
        "POST",
        {
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "chen": 404,
            "ivy": 403,
            "admin": 404,
            "pat": 404,
            "quinn": 404,
        },
        _note("signed"),
        other={"dana": 302, "chen": 403, "ivy": 403},
    ),
    "notes:my_notes": Entry("GET", {**PARTICIPANTS_ONLY, "pat": 200, "quinn": 200}, audits=0),
    "notes:my_note": Entry(
        "GET",
        {**PARTICIPANTS_ONLY, "pat": 200, "quinn": 404},
        _note("signed"),
        other={"quinn": 200},
        audits=0,
    ),
    "notes:my_note_pdf": Entry(
        "GET",
        {**PARTICIPANTS_ONLY, "pat": 200, "quinn": 404},
        _note("signed"),
        other={"quinn": 200},
        audits=0,
    ),
}


def _include(module: Any) -> None:
    """Rows kept beside each part of notes (authz_<part>.py)."""
    overlap = set(MATRIX) & set(module.MATRIX)
    assert not overlap, f"{module.__name__} repeats matrix rows: {sorted(overlap)}"
    MATRIX.update(module.MATRIX)
    GET_AND_POST.update(getattr(module, "GET_AND_POST", set()))


_include(authz_group)
_include(authz_psych)
_include(authz_record)
