"""Matrix rows of session feedback (openiop/tests/authz.py explains them).

The trends page takes no code: clinicians and directors see it (their own sessions' averages,
directors their programs' too); everyone else gets 404. It shows aggregates only, so it
records no read.
"""

from openiop.tests.authz import Entry

MATRIX = {
    "feedback:trends": Entry(
        "GET",
        {
            "dana": 200,
            "alvarez": 200,
            "sam": 200,
            "chen": 200,
            "ivy": 404,
            "admin": 404,
            "pat": 404,
            "quinn": 404,
        },
        audits=0,
    ),
}
