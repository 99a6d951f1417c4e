"""Authorisation-matrix rows of the accounts app's own page: the language switch.

Anyone may change the language they read OpenIOP in, before sign-in too (the cookie only);
it takes no object code and shows no record, so every role is sent back where it came from.
"""

from openiop.tests.authz import ROLES, Entry

MATRIX = {
    "accounts:set_language": Entry(
        "POST", {role: 302 for role in ROLES}, data={"language": "es", "next": "/"}
    ),
}
