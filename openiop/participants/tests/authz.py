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
