"""Authorisation rows of the participant portal's own pages (openiop/portal/tests/authz.py).

Today is the home page ("home" in the main matrix). Settings are the participant's own: staff
have none here (404). The crisis lines are open to everyone, signed in or not.
"""

from openiop.tests.authz import ROLES, STAFF_OK, Entry

MATRIX = {
    "portal:settings": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}, audits=0
    ),
    "portal:crisis": Entry("GET", {r: 200 for r in ROLES}, audits=0),
}
GET_AND_POST = {"portal:settings"}
