"""Every URL × every role × {own chart, someone else's, nonexistent}.

Adding a URL without an entry in MATRIX fails `test_every_url_has_an_entry`: decide who may
reach it before anyone can.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openiop.testing import BaseTestCase

ROLES = ("anonymous", "dana", "alvarez", "sam", "chen", "ivy", "admin", "pat", "quinn")

# URL names that belong to allauth's sign-in/MFA pages or Django's admin, which guard
# themselves (tested in accounts/tests); "home"-less public endpoints are listed in MATRIX.
EXEMPT_PREFIXES = ("account_", "mfa_", "admin:")


@dataclass
class Entry:
    """Expected status codes.

    `expect` maps role → status for the "own" target (Pat's chart, the one most staff share).
    `other` maps role → status for Quinn's chart; omitted roles get 404. A nonexistent code is
    always 404 for signed-in users. Anonymous users are sent to the login page (302) unless
    the entry says otherwise.
    """

    method: str
    expect: dict[str, int]
    kwargs: Callable[[Any, str], dict] | None = None
    other: dict[str, int] = field(default_factory=dict)
    data: dict = field(default_factory=dict)


def chart_kwargs(case: Any, target: str) -> dict:
    code = {"own": case.pat.code, "other": case.quinn.code, "missing": uuid.uuid4()}[target]
    return {"code": code}


def member_kwargs(case: Any, target: str) -> dict:
    if target == "own":
        member = case.pat.care_team.get(clinician=case.sam)
        return {"code": case.pat.code, "member_code": member.code}
    if target == "other":
        member = case.quinn.care_team.get(clinician=case.chen)
        return {"code": case.quinn.code, "member_code": member.code}
    return {"code": uuid.uuid4(), "member_code": uuid.uuid4()}


def _scheduled(kind: str) -> Callable[[Any, str], dict]:
    """kwargs for a scheduling object: Pat's side ("own"), Quinn's side ("other"), missing."""
    from openiop.scheduling.tests.base import matrix_fixture

    def kwargs(case: Any, target: str) -> dict:
        if target == "missing":
            return {"code": uuid.uuid4()}
        fixture = matrix_fixture(case)
        if kind == "program":
            return {"code": fixture["program" if target == "own" else "other_program"].code}
        return {"code": fixture[target][kind].code}

    return kwargs


def makeup_kwargs(case: Any, target: str) -> dict:
    return {**chart_kwargs(case, target), "session_code": uuid.uuid4()}


def feed_kwargs(case: Any, target: str) -> dict:
    return {"token": "not-a-feed-token"}


STAFF_OK = {r: 200 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")}
PARTICIPANTS_404 = {"pat": 404, "quinn": 404}

MATRIX: dict[str, Entry] = {
    "home": Entry(
        "GET",
        {**{r: 302 for r in STAFF_OK}, "pat": 200, "quinn": 200},
    ),
    "core:health": Entry("GET", {r: 200 for r in ROLES}),
    "participants:caseload": Entry("GET", {**STAFF_OK, **PARTICIPANTS_404}),
    "participants:new": Entry(
        "GET",
        {
            "dana": 200,
            "ivy": 200,
            "alvarez": 404,
            "sam": 404,
            "chen": 404,
            "admin": 404,
            **PARTICIPANTS_404,
        },
    ),
    "participants:chart": Entry(
        "GET",
        {
            "dana": 200,
            "alvarez": 200,
            "sam": 200,
            "chen": 404,
            "ivy": 200,
            "admin": 404,
            "pat": 200,
            "quinn": 404,
        },
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 200},
    ),
    "participants:edit": Entry(
        "GET",
        {
            "dana": 200,
            "alvarez": 200,
            "sam": 403,
            "chen": 404,
            "ivy": 200,
            "admin": 404,
            "pat": 403,
            "quinn": 404,
        },
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 403},
    ),
    "participants:care_team_add": Entry(
        "POST",
        {
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "chen": 404,
            "ivy": 403,
            "admin": 404,
            "pat": 403,
            "quinn": 404,
        },
        chart_kwargs,
        other={"dana": 302, "chen": 403, "ivy": 403, "quinn": 403},
    ),
    "participants:care_team_remove": Entry(
        "POST",
        {
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "chen": 404,
            "ivy": 403,
            "admin": 404,
            "pat": 403,
            "quinn": 404,
        },
        member_kwargs,
        other={"dana": 302, "chen": 403, "ivy": 403, "quinn": 403},
    ),
    "audit:record_access": Entry("GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}),
    # Scheduling. Group "own" is Pat's (Dr. Alvarez leads, Sam co-facilitates); "other" is
    # Quinn's (Dr. Chen leads). Directors manage; intake coordinators admit; facilitators see
    # their own group and record its attendance.
    "scheduling:index": Entry("GET", {**STAFF_OK, **PARTICIPANTS_404}),
    "scheduling:my_week": Entry("GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}),
    "scheduling:reminder_preferences": Entry(
        "POST", {**{r: 404 for r in STAFF_OK}, "pat": 302, "quinn": 302}
    ),
    "scheduling:calendar": Entry("GET", {r: 200 for r in ROLES if r != "anonymous"}),
    "scheduling:calendar_new": Entry("POST", {r: 200 for r in ROLES if r != "anonymous"}),
    "scheduling:calendar_revoke": Entry("POST", {r: 302 for r in ROLES if r != "anonymous"}),
    # The feed's secret token is its only credential: an unknown token is 404 for everyone.
    "scheduling:feed": Entry("GET", {r: 404 for r in ROLES}, feed_kwargs),
    "scheduling:week_grid": Entry(
        "GET",
        {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 200, "ivy": 200},
        _scheduled("program"),
    ),
    "scheduling:add_holiday": Entry(
        "POST",
        {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 302, "ivy": 403},
        _scheduled("program"),
    ),
    "scheduling:roster": Entry(
        "GET",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 200,
            "alvarez": 200,
            "sam": 200,
            "ivy": 200,
        },
        _scheduled("group"),
        other={"dana": 200, "chen": 200, "ivy": 200},
    ),
    "scheduling:admit": Entry(
        "GET",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 200,
            "alvarez": 403,
            "sam": 403,
            "ivy": 200,
        },
        _scheduled("group"),
        other={"dana": 200, "chen": 403, "ivy": 200},
    ),
    "scheduling:set_capacity": Entry(
        "POST",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "ivy": 403,
        },
        _scheduled("group"),
        other={"dana": 302, "chen": 403, "ivy": 403},
    ),
    "scheduling:add_extra_session": Entry(
        "POST",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "ivy": 403,
        },
        _scheduled("group"),
        other={"dana": 302, "chen": 403, "ivy": 403},
    ),
    "scheduling:end_enrollment": Entry(
        "POST",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "ivy": 302,
        },
        _scheduled("enrollment"),
        other={"dana": 302, "chen": 403, "ivy": 302},
    ),
    "scheduling:session": Entry(
        "GET",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 200,
            "alvarez": 200,
            "sam": 200,
            "ivy": 200,
        },
        _scheduled("session"),
        other={"dana": 200, "chen": 200, "ivy": 200},
    ),
    "scheduling:record_attendance": Entry(
        "POST",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 302,
            "alvarez": 302,
            "sam": 302,
            "ivy": 403,
        },
        _scheduled("session"),
        other={"dana": 302, "chen": 302, "ivy": 403},
    ),
    "scheduling:cancel_session": Entry(
        "POST",
        {
            **{r: 404 for r in ROLES if r != "anonymous"},
            "dana": 302,
            "alvarez": 403,
            "sam": 403,
            "ivy": 403,
        },
        _scheduled("session"),
        other={"dana": 302, "chen": 403, "ivy": 403},
    ),
    "scheduling:ledger": Entry(
        "GET",
        {
            "dana": 200,
            "alvarez": 200,
            "sam": 200,
            "chen": 404,
            "ivy": 200,
            "admin": 404,
            "pat": 200,
            "quinn": 404,
        },
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 200},
    ),
    # A made-up session code: writers pass the chart gate and then find no such offer (404).
    "scheduling:book_makeup": Entry(
        "POST",
        {
            "dana": 404,
            "alvarez": 404,
            "sam": 403,
            "chen": 404,
            "ivy": 404,
            "admin": 404,
            "pat": 403,
            "quinn": 404,
        },
        makeup_kwargs,
        other={"quinn": 403},
    ),
    "scheduling:new_appointment": Entry(
        "GET",
        {
            "dana": 200,
            "alvarez": 200,
            "sam": 403,
            "chen": 404,
            "ivy": 200,
            "admin": 404,
            "pat": 403,
            "quinn": 404,
        },
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 403},
    ),
}

# Pages that show a form on GET and take it by POST.
GET_AND_POST = {
    "participants:edit",
    "participants:new",
    "scheduling:admit",
    "scheduling:new_appointment",
}


def all_url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names |= all_url_names(pattern, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{prefix}{pattern.name}")
    return names


class AuthorizationMatrixTestCase(BaseTestCase):
    def test_every_url_has_an_entry(self):
        names = {n for n in all_url_names() if not n.startswith(EXEMPT_PREFIXES)}
        missing = sorted(names - set(MATRIX))
        self.assertEqual(missing, [], "URLs without an authorization-matrix entry")
        stale = sorted(set(MATRIX) - names)
        self.assertEqual(stale, [], "Matrix entries for URLs that no longer exist")

    def request(self, entry: Entry, name: str, role: str, target: str) -> int:
        kwargs = entry.kwargs(self, target) if entry.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        self.client.logout()
        if role != "anonymous":
            self.login(self.everyone[role])
        # Each request runs in its own savepoint so a permitted write cannot change what
        # the next role sees.
        with transaction.atomic():
            if entry.method == "GET":
                response = self.client.get(url)
            else:
                response = self.client.post(url, entry.data)
            transaction.set_rollback(True)
        return response.status_code

    def test_matrix(self):
        for name, entry in MATRIX.items():
            targets = ("own", "other", "missing") if entry.kwargs else ("own",)
            for role in ROLES:
                for target in targets:
                    if role == "anonymous":
                        expected = entry.expect.get("anonymous", 302)
                    elif target == "own":
                        expected = entry.expect[role]
                    elif target == "other":
                        expected = entry.other.get(role, 404)
                    else:
                        expected = 404
                    with self.subTest(url=name, role=role, target=target):
                        self.assertEqual(self.request(entry, name, role, target), expected)

    def test_read_only_pages_refuse_other_methods(self):
        for name, entry in MATRIX.items():
            kwargs = entry.kwargs(self, "own") if entry.kwargs else {}
            url = reverse(name, kwargs=kwargs)
            # Method checks come before access checks, so any signed-in role shows them.
            role = next(
                (r for r in ROLES if r != "anonymous" and entry.expect.get(r) in (200, 302)),
                "dana",
            )
            self.login(self.everyone[role])
            with self.subTest(url=name):
                if entry.method == "GET" and name not in GET_AND_POST:
                    self.assertEqual(self.client.post(url).status_code, 405)
                elif entry.method == "POST":
                    self.assertEqual(self.client.get(url).status_code, 405)
                else:
                    self.assertEqual(self.client.delete(url).status_code, 405)
