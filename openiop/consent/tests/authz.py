"""Authorisation-matrix rows of the consent app's pages (openiop/tests/test_authz_matrix.py).

Each part of issue 11 keeps its rows beside it in `authz_<part>.py` (MATRIX, and optionally
GET_AND_POST), included below, so two parts never edit the same dict.
"""

from openiop.tests.authz import include_parts

PARTS = ("invitations", "consents", "releases", "access", "guardians")

MATRIX, GET_AND_POST = include_parts("openiop.consent.tests", PARTS)
