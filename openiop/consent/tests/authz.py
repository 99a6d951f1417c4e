"""Authorisation-matrix rows of the consent app's pages (openiop/tests/test_authz_matrix.py).

Each part of issue 11 keeps its rows beside it in `authz_<part>.py` (MATRIX, and optionally
GET_AND_POST), included below, so two parts never edit the same dict.
"""

import importlib
from typing import Any

MATRIX: dict[str, Any] = {}
GET_AND_POST: set[str] = set()

PARTS = ("invitations", "consents", "releases", "access")


def _include(module: Any) -> None:
    overlap = set(MATRIX) & set(module.MATRIX)
    assert not overlap, f"{module.__name__} repeats matrix rows: {sorted(overlap)}"
    MATRIX.update(module.MATRIX)
    GET_AND_POST.update(getattr(module, "GET_AND_POST", set()))


for part in PARTS:
    try:
        module = importlib.import_module(f"openiop.consent.tests.authz_{part}")
    except ModuleNotFoundError as exc:
        # A part without pages has no rows; a typo inside a part's module must still fail.
        if exc.name != f"openiop.consent.tests.authz_{part}":
            raise
        continue
    _include(module)
