"""Matrix rows of right-of-access requests (openiop/tests/authz.py explains them).

Pat's request ("own") and Quinn's ("other") are in the same program: Dana (director) and Ivy
(intake coordinator) handle both. Other staff who read the chart (Pat's team: Dr. Alvarez and
Sam; Quinn's: Dr. Chen) get 403; everyone else, participants included, 404. The request page
shows the request and the participant's name: one read."""

import uuid
from datetime import date
from typing import Any

from openiop.tests.authz import Entry, chart_kwargs

HANDLERS = {
    "dana": 200,
    "ivy": 200,
    "alvarez": 403,
    "sam": 403,
    "chen": 404,
    "admin": 404,
    "pat": 404,
    "quinn": 404,
}
HANDLERS_OTHER = {"dana": 200, "ivy": 200, "chen": 403}
POST_HANDLERS = {**HANDLERS, "dana": 302, "ivy": 302}
POST_HANDLERS_OTHER = {**HANDLERS_OTHER, "dana": 302, "ivy": 302}

GET_AND_POST = {"access_requests:new"}


def request_kwargs(case: Any, target: str) -> dict:
    from openiop.consent.access_requests.actions import create_request

    if target == "missing":
        return {"code": uuid.uuid4()}
    cache = case.__dict__.setdefault("_access_requests", {})
    if target not in cache:
        participant = case.pat if target == "own" else case.quinn
        cache[target] = create_request(
            participant,
            requester_name="Jordan Avery, Avery Law",
            requester_kind="attorney",
            received_on=date(2026, 12, 1),
            format="pdf",
            delivery="secure_email",
            acting_user=case.dana,
        )
    return {"code": cache[target].code}


def _post(data: dict | None = None) -> Entry:
    return Entry("POST", POST_HANDLERS, request_kwargs, other=POST_HANDLERS_OTHER, data=data or {})


MATRIX = {
    "access_requests:list": Entry(
        "GET",
        {**{r: 404 for r in HANDLERS}, "dana": 200, "ivy": 200},
        audits=0,
    ),
    "access_requests:new": Entry("GET", HANDLERS, chart_kwargs, other=HANDLERS_OTHER, audits=0),
    "access_requests:detail": Entry(
        "GET", HANDLERS, request_kwargs, other=HANDLERS_OTHER, audits=1
    ),
    "access_requests:start": _post(),
    "access_requests:extend": _post({"extend-reason": "volume"}),
    "access_requests:deny": _post({"deny-reason": "other"}),
    "access_requests:withdraw": _post(),
    "access_requests:deliver": _post(),
}
