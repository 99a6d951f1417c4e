"""Authorisation-matrix rows of the program outcomes dashboard (openiop/tests/test_authz_matrix.py).

The program's directors and administrators open a program's dashboard and its CSV; everyone
else, the rest of the program's staff included, gets 404. Administrators see every program's
(counts and rates only, no participant named); Dana only those she directs, so "other" (a
program nobody here directs) is 404 for her. Each page view and each CSV records one read
(`outcomes.dashboard_viewed` / `outcomes.dashboard_exported`, target: the program).
`/outcomes/dashboard/` sends someone with one program to it and lists several.
"""

import uuid
from typing import Any

from openiop.tests.authz import ROLES, Entry

OUTSIDERS = {r: 404 for r in ROLES if r != "anonymous"}


def program_kwargs(case: Any, target: str) -> dict:
    """The personas' program ("own"), a program nobody here directs ("other"), or none."""
    from openiop.programs.models import Program

    if target == "missing":
        return {"code": uuid.uuid4()}
    if target == "own":
        return {"code": case.program.code}
    other = Program.objects.filter(name="Outcomes dashboard: other program").first()
    if other is None:
        other = Program.objects.create(name="Outcomes dashboard: other program")
    return {"code": other.code}


MATRIX: dict[str, Entry] = {
    # Dana directs one program (302 to it); Ada sees the list of every program.
    "outcomes:dashboards": Entry("GET", {**OUTSIDERS, "dana": 302, "admin": 200}, audits=0),
    "outcomes:dashboard": Entry(
        "GET",
        {**OUTSIDERS, "dana": 200, "admin": 200},
        program_kwargs,
        other={"admin": 200},
        audits=1,
    ),
    "outcomes:dashboard_export": Entry(
        "GET",
        {**OUTSIDERS, "dana": 200, "admin": 200},
        program_kwargs,
        other={"admin": 200},
        audits=1,
    ),
}
