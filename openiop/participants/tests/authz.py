"""participants' rows added after the central matrix (openiop/tests/test_authz_matrix.py)."""

from typing import Any

from openiop.tests.authz import PARTICIPANTS_404, Entry

MATRIX: dict[str, Any] = {
    # The review list of "different person" decisions: directors and intake coordinators.
    "participants:duplicate_decisions": Entry(
        "GET",
        {
            "dana": 200,
            "ivy": 200,
            "alvarez": 404,
            "sam": 404,
            "chen": 404,
            "admin": 404,
            **PARTICIPANTS_404,
        },
        audits=0,
    ),
}

# Break-the-glass keeps its rows beside it, so the two parts never edit the same dict.
from openiop.participants.tests.authz_break_glass import (  # noqa: E402
    GET_AND_POST as GET_AND_POST,
)
from openiop.participants.tests.authz_break_glass import MATRIX as BREAK_GLASS  # noqa: E402

MATRIX.update(BREAK_GLASS)
