"""Matrix rows of program setup (openiop/tests/test_authz_matrix.py): the program's directors
only; everyone else, the program's own staff included, gets 404. "other" is a program nobody
among the personas directs."""

import uuid
from collections.abc import Callable
from typing import Any

from openiop.programs.tests.setup_fixture import setup_fixture
from openiop.tests.authz import ROLES, Entry

SIGNED_IN_404 = {r: 404 for r in ROLES if r != "anonymous"}

GET_AND_POST = {
    "programs:settings",
    "programs:track_new",
    "programs:track",
    "programs:group_new",
    "programs:group",
}


def _kwargs(kind: str, child: str | None = None) -> Callable[[Any, str], dict]:
    def kwargs(case: Any, target: str) -> dict:
        if target == "missing":
            found: dict[str, Any] = {"code": uuid.uuid4()}
            if child:
                found[f"{child}_id"] = 999999
            return found
        rows = setup_fixture(case)[target]
        found = {"code": rows[kind].code}
        if child:
            found[f"{child}_id"] = rows[child].pk
        return found

    return kwargs


def _page(kind: str) -> Entry:
    return Entry("GET", {**SIGNED_IN_404, "dana": 200}, _kwargs(kind), audits=0)


def _write(kind: str, child: str | None = None, data: dict | None = None, ok: int = 302) -> Entry:
    return Entry("POST", {**SIGNED_IN_404, "dana": ok}, _kwargs(kind, child), data=data or {})


MATRIX: dict[str, Entry] = {
    # Dana directs one program, so the index sends her straight to it.
    "programs:index": Entry("GET", {**SIGNED_IN_404, "dana": 302}, audits=0),
    "programs:setup": _page("program"),
    "programs:settings": _page("program"),
    "programs:track_new": _page("program"),
    "programs:track": _page("track"),
    "programs:group_new": _page("track"),
    "programs:group": _page("group"),
    "programs:track_block_add": _write(
        "track",
        data={"block-days": ["SA"], "block-starts_at": "09:00", "block-ends_at": "12:00"},
    ),
    "programs:track_block_remove": _write("track", "block"),
    # No staff member chosen: the gate let Dana through to the form's message.
    "programs:facilitator_add": _write("group", ok=400),
    "programs:facilitator_remove": _write("group", "facilitator", data={"confirm": "on"}),
    "programs:topic_add": _write("group", data={"topic-title": "Emotion regulation"}),
    "programs:topic_edit": _write("group", "topic"),
    "programs:topic_move": _write("group", "topic", data={"direction": "down"}),
    "programs:topic_remove": _write("group", "topic"),
}
