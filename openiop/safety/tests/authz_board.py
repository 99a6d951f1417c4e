"""Authorisation-matrix rows of the program safety board (openiop/tests/test_authz_matrix.py).

Only the program's directors open its board; everyone else, the rest of its staff included,
gets 404. The board names participants with open alerts and missing safety plans, so each view
records one `safety.board_viewed` read (target: the program). `/safety/board/` sends a director
of one program to that board and is 404 to anyone who directs none.
"""

import uuid
from typing import Any

from openiop.tests.authz import ROLES, Entry

NOT_DIRECTORS = {r: 404 for r in ROLES if r != "anonymous"}


def board_kwargs(case: Any, target: str) -> dict:
    """The personas' program ("own"), a program nobody here directs ("other"), or none."""
    from openiop.programs.models import Program

    if target == "missing":
        return {"code": uuid.uuid4()}
    if target == "own":
        return {"code": case.program.code}
    other = Program.objects.filter(name="Safety board: other program").first()
    if other is None:
        other = Program.objects.create(name="Safety board: other program")
    return {"code": other.code}


MATRIX: dict[str, Entry] = {
    "safety:boards": Entry("GET", {**NOT_DIRECTORS, "dana": 302}, audits=0),
    # "other" is a program nobody here directs: 404 for everyone, Dana included.
    "safety:board": Entry("GET", {**NOT_DIRECTORS, "dana": 200}, board_kwargs, audits=1),
}
