"""telehealth's guest rows of the authorisation matrix (openiop/tests/test_authz_matrix.py).

Guests: Dr. Alvarez's individual session with Pat ("own") and Dr. Chen's with Quinn ("other")
each have an interpreter's invitation. Only the session's clinician manages it; anonymous
visitors reach the link's page and nothing else (the guest's own pages need the marker the
link's page sets, tested in test_guests.py).
"""

import uuid
from typing import Any

from openiop.tests.authz import NOBODY, ROLES, Entry

GET_AND_POST = {"telehealth:guests", "telehealth:guest_link"}


def _session(case: Any, target: str) -> Any:
    from openiop.scheduling.models import Session

    from .helpers import make_appointment, quinns_session

    if target == "other":
        return quinns_session(case)
    existing = Session.objects.filter(kind=Session.Kind.INDIVIDUAL, clinician=case.alvarez)
    return existing.first() or make_appointment(case, case.alvarez, case.pat)


def _invite(case: Any, target: str) -> tuple[Any, str]:
    """The target session's invitation and its link's token (made once per test)."""
    from openiop.telehealth import actions, schedule

    made = case.__dict__.setdefault("_guest_invites", {})
    if target not in made:
        session = _session(case, target)
        info = schedule.get_session(session.code)
        assert info is not None
        made[target] = actions.create_invite(
            info,
            role="interpreter",
            display_name="Maria",
            acting_user=session.clinician,
        )
    return made[target]


def guest_session_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _session(case, target).code}


def invite_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4(), "invite_code": uuid.uuid4()}
    invite, _ = _invite(case, target)
    return {"code": invite.session_code, "invite_code": invite.code}


def guest_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    invite, _ = _invite(case, target)
    return {"code": invite.code}


def link_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"token": "no-such-link"}
    _, token = _invite(case, target)
    return {"token": token}


SIGNED_IN_403 = {r: 403 for r in ROLES if r != "anonymous"}
GUEST_ONLY = {**NOBODY, "anonymous": 404}

MATRIX = {
    # The session's clinician invites and withdraws guests, and lets them in.
    "telehealth:guests": Entry(
        "GET", {**NOBODY, "alvarez": 200}, guest_session_kwargs, other={"chen": 200}, audits=0
    ),
    "telehealth:guest_admit": Entry(
        "POST", {**NOBODY, "alvarez": 302}, invite_kwargs, other={"chen": 302}
    ),
    "telehealth:guest_revoke": Entry(
        "POST", {**NOBODY, "alvarez": 302}, invite_kwargs, other={"chen": 302}
    ),
    # The link's consent page: anyone not signed in; signed-in people are told to sign out.
    "telehealth:guest_link": Entry(
        "GET",
        {**SIGNED_IN_403, "anonymous": 200},
        link_kwargs,
        other=SIGNED_IN_403,
        audits=0,
        anonymous_missing=404,
    ),
    # The guest's pages: only the browser holding the link's marker (none here).
    "telehealth:guest_waiting": Entry("GET", GUEST_ONLY, guest_kwargs),
    "telehealth:guest_status": Entry("GET", GUEST_ONLY, guest_kwargs),
    "telehealth:guest_room": Entry("GET", GUEST_ONLY, guest_kwargs),
    "telehealth:guest_ticket": Entry("POST", GUEST_ONLY, guest_kwargs),
    "telehealth:guest_presence": Entry(
        "POST", GUEST_ONLY, guest_kwargs, data={"kind": "heartbeat"}
    ),
    "telehealth:guest_feeds": Entry("POST", GUEST_ONLY, guest_kwargs),
}
