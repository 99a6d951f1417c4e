"""Authorisation-matrix rows of the crisis pathway's pages (openiop/tests/test_authz_matrix.py).

The alert pages of wave 1 keep their rows in the central matrix; each part added by issue 10
keeps its rows beside it in `authz_<part>.py` (MATRIX, and optionally GET_AND_POST), included
below, so two parts never edit the same dict.
"""

from openiop.tests.authz import include_parts

PARTS = ("rota", "emergency", "assessment", "plan", "session", "board")

MATRIX, GET_AND_POST = include_parts("openiop.safety.tests", PARTS)
