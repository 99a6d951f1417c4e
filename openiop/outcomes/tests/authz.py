"""Authorisation-matrix rows of the outcomes app's pages (openiop/tests/test_authz_matrix.py).

Each part of issue 12 keeps its rows beside it in `authz_<part>.py` (MATRIX, and optionally
GET_AND_POST), included below, so two parts never edit the same dict.
"""

from openiop.tests.authz import include_parts

PARTS = ("schedules", "progress", "dashboard", "feedback", "portal", "language")

MATRIX, GET_AND_POST = include_parts("openiop.outcomes.tests", PARTS)
