"""Matrix rows of releases of information (included by authz.py).

Releases of information: the participant's own pages (their releases, signing, revoking, who
received their records) are theirs alone: 404 to staff, no read recorded. The chart's page of
releases and disclosures follows the chart's read rules and records one read.
"""

import uuid
from typing import Any

from openiop.tests.authz import OTHER_STAFF_READERS, STAFF_CHART_READERS, Entry, chart_kwargs

GET_AND_POST = {"releases:new"}

STAFF = ("dana", "alvarez", "sam", "chen", "ivy", "admin")
PARTICIPANTS_OWN = {**{r: 404 for r in STAFF}, "pat": 200, "quinn": 200}


def release_kwargs(case: Any, target: str) -> dict:
    """A release Pat (own) or Quinn (other) signed."""
    if target == "missing":
        return {"code": uuid.uuid4()}
    from openiop.consent.tests.helpers import release

    cache = case.__dict__.setdefault("_release_fixture", {})
    if target not in cache:
        cache[target] = release(case.pat if target == "own" else case.quinn)
    return {"code": cache[target].code}


MATRIX: dict[str, Entry] = {
    "releases:mine": Entry("GET", PARTICIPANTS_OWN, audits=0),
    "releases:new": Entry("GET", PARTICIPANTS_OWN, audits=0),
    "releases:my_disclosures": Entry("GET", PARTICIPANTS_OWN, audits=0),
    "releases:revoke": Entry(
        "POST",
        {**{r: 404 for r in STAFF}, "pat": 302, "quinn": 404},
        release_kwargs,
        other={"quinn": 302},
    ),
    "releases:chart": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
}
