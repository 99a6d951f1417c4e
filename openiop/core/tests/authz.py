"""core's rows of the authorisation matrix (collected by openiop/tests/test_authz_matrix.py)."""

from openiop.tests.authz import ROLES, Entry

MATRIX = {
    # Directors (and supervisors, none among the personas) see their team's late notes.
    "core:team_worklist": Entry(
        "GET", {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 200}, audits=0
    ),
}
