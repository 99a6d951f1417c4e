"""participants' break-the-glass rows of the authorisation matrix (the chart's own rows are
in openiop/tests/test_authz_matrix.py)."""

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from openiop.tests.authz import NOBODY, PARTICIPANTS_404, Entry, chart_kwargs

GET_AND_POST = {"participants:emergency_access", "participants:break_glass"}

# Clinicians and directors of a licensed discipline may break the glass; the peer specialist,
# the intake coordinator and the administrator are refused (and audited).
MAY_BREAK_GLASS = {"dana": 200, "alvarez": 200, "chen": 200}
REFUSED = {"sam": 403, "ivy": 403, "admin": 403}


def grant_kwargs(case: Any, target: str) -> dict:
    """A grant of yesterday: Dr. Chen's to Pat's chart ("own"), Dr. Alvarez's to Quinn's
    ("other"). Expired, so it opens nothing for the rows that follow (ending it is a no-op)."""
    from openiop.participants.models import BreakGlassGrant

    if target == "missing":
        return {"code": uuid.uuid4()}
    user, participant = (case.chen, case.pat) if target == "own" else (case.alvarez, case.quinn)
    yesterday = timezone.now() - timedelta(days=1)
    grant, _ = BreakGlassGrant.objects.get_or_create(
        user=user,
        participant=participant,
        defaults={
            "reason": "Synthetic emergency for the matrix",
            "created_at": yesterday,
            "expires_at": yesterday + timedelta(hours=1),
        },
    )
    return {"code": grant.code}


MATRIX: dict[str, Entry] = {
    # A search form; results come from a POST, so a GET shows no chart.
    "participants:emergency_access": Entry(
        "GET", {**MAY_BREAK_GLASS, **REFUSED, **PARTICIPANTS_404}, audits=0
    ),
    # Only privacy officers (a flag no persona holds) read the report.
    "participants:emergency_access_report": Entry("GET", NOBODY),
    # The reason-and-password form for one chart of the user's programs. Who can already open
    # the chart is sent straight to it; a role that may not break the glass gets a 404 (the
    # chart's address never says more) and an audited denial.
    "participants:break_glass": Entry(
        "GET",
        {**NOBODY, "dana": 302, "alvarez": 302, "chen": 200},
        chart_kwargs,
        other={"dana": 302, "alvarez": 200, "chen": 302},
        audits=0,
    ),
    # Only the grant's holder ends it.
    "participants:end_break_glass": Entry(
        "POST", {**NOBODY, "chen": 302}, grant_kwargs, other={"alvarez": 302}
    ),
}
