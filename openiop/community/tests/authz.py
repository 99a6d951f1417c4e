"""The authorisation matrix's rows for peer spaces (collected by
openiop/tests/test_authz_matrix.py; docs/community.md, "Who sees a space").

"own" is the evening group's space (Dr. Alvarez leads, Sam is its peer specialist, Pat is
seated), "other" the morning group's (Dr. Chen leads, Quinn is seated). Dana directs the
program: she reads both spaces and their moderation views (403 on every form). Everyone else
404. Members who have not accepted the rules are refused a post (403, with the reason).
Space pages are no participant's record: no read events (a director's opening is audited as
`community.space_viewed`, a review as `community.post_reviewed`).
"""

import uuid
from typing import Any

from openiop.tests.authz import ROLES, Entry

NOBODY = {r: 404 for r in ROLES if r != "anonymous"}


def _spaces(case: Any) -> Any:
    from openiop.community.tests.base import make_groups

    return make_groups(case)


def space_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    evening, morning = _spaces(case)
    return {"code": (evening if target == "own" else morning).code}


def member_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4(), "participant_code": uuid.uuid4()}
    evening, morning = _spaces(case)
    if target == "own":
        return {"code": evening.code, "participant_code": case.pat.code}
    return {"code": morning.code, "participant_code": case.quinn.code}


def _thread(case: Any, target: str, *, by_participant: bool = False) -> Any:
    from openiop.community.models import Post
    from openiop.community.tests.base import post_in

    evening, morning = _spaces(case)
    space = evening if target == "own" else morning
    if by_participant:
        author = case.pat_user if target == "own" else case.quinn_user
    else:
        author = case.alvarez if target == "own" else case.chen
    found = Post.objects.filter(space=space, author=author, parent__isnull=True).first()
    return found or post_in(case, space, author, "Welcome, everyone.")


def thread_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _thread(case, target).code}


def participant_post_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _thread(case, target, by_participant=True).code}


def _own(roles: dict[str, int]) -> dict[str, int]:
    return {**NOBODY, **roles}


READERS = _own({"dana": 200, "alvarez": 200, "sam": 200, "pat": 200})
OTHER_READERS = {"dana": 200, "chen": 200, "quinn": 200}
MODERATORS = _own({"dana": 403, "alvarez": 302, "sam": 302, "pat": 403})
OTHER_MODERATORS = {"dana": 403, "chen": 302, "quinn": 403}
# Pat and Quinn have not accepted their spaces' rules: their posts are refused (403).
POSTERS = _own({"dana": 403, "alvarez": 302, "sam": 302, "pat": 403})
OTHER_POSTERS = {"dana": 403, "chen": 302, "quinn": 403}

MATRIX = {
    "community:index": Entry(
        "GET", {**{r: 200 for r in ROLES if r != "anonymous"}, "ivy": 404, "admin": 404}, audits=0
    ),
    "community:space": Entry("GET", READERS, space_kwargs, other=OTHER_READERS, audits=0),
    "community:accept_rules": Entry(
        "POST",
        _own({"dana": 403, "alvarez": 302, "sam": 302, "pat": 302}),
        space_kwargs,
        other={"dana": 403, "chen": 302, "quinn": 302},
    ),
    "community:new_thread": Entry(
        "POST", POSTERS, space_kwargs, other=OTHER_POSTERS, data={"text": "Hello, group."}
    ),
    "community:moderation": Entry(
        "GET",
        _own({"dana": 200, "alvarez": 200, "sam": 200, "pat": 403}),
        space_kwargs,
        other={"dana": 200, "chen": 200, "quinn": 403},
        audits=0,
    ),
    "community:lock_space": Entry(
        "POST", MODERATORS, space_kwargs, other=OTHER_MODERATORS, data={"on": "1"}
    ),
    "community:remove_member": Entry(
        "POST", MODERATORS, member_kwargs, other=OTHER_MODERATORS, data={"on": "1"}
    ),
    "community:thread": Entry("GET", READERS, thread_kwargs, other=OTHER_READERS, audits=0),
    "community:reply": Entry(
        "POST", POSTERS, thread_kwargs, other=OTHER_POSTERS, data={"text": "Thanks."}
    ),
    "community:report": Entry(
        "POST",
        _own({"dana": 403, "alvarez": 302, "sam": 302, "pat": 302}),
        thread_kwargs,
        other={"dana": 403, "chen": 302, "quinn": 302},
        data={"reason": "unkind"},
    ),
    "community:moderate": Entry(
        "POST", MODERATORS, thread_kwargs, other=OTHER_MODERATORS, data={"action": "hide"}
    ),
    # The link in a crisis-language alert: moderators and the director of the space, and
    # clinicians who may read the author's chart (Pat's team: Dr. Alvarez, Sam); the
    # author and other members 403.
    "community:review": Entry(
        "GET",
        _own({"dana": 200, "alvarez": 200, "sam": 200, "pat": 403}),
        participant_post_kwargs,
        other={"dana": 200, "chen": 200, "quinn": 403},
        audits=0,
    ),
}
