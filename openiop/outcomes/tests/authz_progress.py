"""Matrix rows of measures and progress (openiop/tests/authz.py explains them).

The clinician page is a chart page: whoever may read the chart (Pat's team, Sam read-only
included, the director and the intake coordinator) sees it, and it records one chart read;
participants, outsiders and administrators get 404. "My progress" is the participant's own,
with no code in its URL: each participant sees theirs, staff get 404, and reading one's own
record records nothing.
"""

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_OK,
    Entry,
    chart_kwargs,
)

MATRIX = {
    "outcomes:progress": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "outcomes:my_progress": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}, audits=0
    ),
}
