"""Matrix rows of a guardian's family consent pages (openiop/tests/authz.py explains them).

The personas have no parent or guardian, so every signed-in persona gets 404 on Pat's and
Quinn's pages alike (staff who read the chart and the participant themself included) and
anonymous visitors go to sign in. The guardian's own answers are in
test_guardian_consents.py. Each page a guardian opens records one read (`consent.list_viewed`).
"""

from typing import Any

from openiop.tests.authz import ROLES, Entry, chart_kwargs

NOBODY = {r: 404 for r in ROLES if r != "anonymous"}


def ward_kind_kwargs(case: Any, target: str) -> dict:
    return {**chart_kwargs(case, target), "kind": "treatment"}


GET_AND_POST = {"consent:ward_sign"}

MATRIX = {
    "consent:ward_consents": Entry("GET", NOBODY, chart_kwargs, audits=1),
    "consent:ward_sign": Entry("GET", NOBODY, ward_kind_kwargs, audits=1),
}
