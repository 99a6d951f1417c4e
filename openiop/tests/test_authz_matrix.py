"""Every URL × every role × {own chart, someone else's, nonexistent}.

Adding a URL without an entry in MATRIX fails `test_every_url_has_an_entry`: decide who may
reach it before anyone can. A page that answers a GET with 200 must also say how many read
events (`openiop.audit.reads.READ_EVENTS`) that GET writes: one for a page that shows a
participant's record, none otherwise (docs/permissions.md, "Which pages record a read").
"""

import importlib
import importlib.util
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie

import time_machine
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.telehealth.tests.helpers import (
    admitted_session_kwargs,
    attendance_kwargs,
    session_kwargs,
)
from openiop.testing import BaseTestCase
from openiop.tests.authz import (
    CHART_WRITERS,
    EXEMPT_PREFIXES,
    GET_AND_POST,
    NOBODY,
    OTHER_STAFF_READERS,
    OTHER_WRITERS,
    PARTICIPANTS_404,
    ROLES,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    STAFF_OK,
    VIDEO_OTHER_OK,
    VIDEO_STAFF_302,
    VIDEO_STAFF_OK,
    Entry,
    _scheduled,
    alert_kwargs,
    assignment_kwargs,
    chart_kwargs,
    feed_kwargs,
    makeup_kwargs,
    member_kwargs,
    program_kwargs,
    referral_kwargs,
    response_kwargs,
)

MATRIX: dict[str, Entry] = {
    # Clinicians and directors land on their worklist (a list, not one chart: no read),
    # administrators on their own page; intake coordinators are sent on to the referrals.
    "home": Entry("GET", {**STAFF_OK, "ivy": 302, "pat": 200, "quinn": 200}, audits=0),
    "core:health": Entry("GET", {r: 200 for r in ROLES}, audits=0),
    "core:live": Entry("GET", {r: 200 for r in ROLES}, audits=0),
    "core:ready": Entry("GET", {r: 200 for r in ROLES}, audits=0),
    # Prometheus only, with its token (none is configured here): nobody else, however signed in.
    "core:metrics": Entry("GET", {r: 404 for r in ROLES}, audits=0),
    "core:favicon": Entry("GET", {r: 302 for r in ROLES}, audits=0),
    # The operations board: directors of the program only (a list, not one chart: no read).
    "core:board_index": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "dana": 302, **PARTICIPANTS_404}, audits=0
    ),
    "core:board": Entry(
        "GET",
        {**{r: 404 for r in STAFF_OK}, "dana": 200, **PARTICIPANTS_404},
        program_kwargs,
        audits=0,
    ),
    "participants:caseload": Entry("GET", {**STAFF_OK, **PARTICIPANTS_404}, audits=0),
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
        audits=0,
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
        audits=1,
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
        audits=1,
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
    "participants:record_access": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}, audits=0
    ),
    "assessments:mine": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}, audits=0
    ),
    "assessments:respond": Entry(
        "GET", CHART_WRITERS, assignment_kwargs, other=OTHER_WRITERS, audits=1
    ),
    "assessments:autosave": Entry("POST", CHART_WRITERS, assignment_kwargs, other=OTHER_WRITERS),
    "assessments:submitted": Entry(
        "GET",
        {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 404},
        response_kwargs,
        other={"quinn": 200},
        audits=0,
    ),
    "assessments:participant": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "assessments:assign": Entry(
        "POST",
        {**{r: 302 if v == 200 else v for r, v in STAFF_CHART_WRITERS.items()}},
        chart_kwargs,
        other={r: 302 for r in OTHER_STAFF_READERS},
    ),
    "assessments:response": Entry(
        "GET", STAFF_CHART_READERS, response_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "assessments:response_fhir": Entry(
        "GET", STAFF_CHART_READERS, response_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "assessments:correct": Entry(
        "GET", STAFF_CHART_WRITERS, response_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "safety:alerts": Entry("GET", {**STAFF_OK, **PARTICIPANTS_404}, audits=0),
    # Alerts go to the care team and the program's on-call clinician (Dr. Chen); the program's
    # director (Dana) opens and may acknowledge every alert of her program; nobody else.
    "safety:alert": Entry(
        "GET",
        {
            "dana": 200,
            "alvarez": 200,
            "sam": 200,
            "chen": 200,
            "ivy": 404,
            "admin": 404,
            **PARTICIPANTS_404,
        },
        alert_kwargs,
        other={"dana": 200, "chen": 200},
        audits=1,
    ),
    "safety:acknowledge": Entry(
        "POST",
        {
            "dana": 302,
            "alvarez": 302,
            "sam": 403,
            "chen": 302,
            "ivy": 404,
            "admin": 404,
            **PARTICIPANTS_404,
        },
        alert_kwargs,
        other={"dana": 302, "chen": 302},
        data={"action": "contacted", "note": "Called; safe at home."},
    ),
    # Any member of staff who may open the chart raises a concern, a read-only peer too.
    "safety:raise_concern": Entry(
        "POST",
        {**{r: 302 if v == 200 else v for r, v in STAFF_CHART_READERS.items()}, "pat": 403},
        chart_kwargs,
        other={"dana": 302, "chen": 302, "ivy": 302, "quinn": 403},
        data={"concern": "Seemed withdrawn in group."},
    ),
    "intake:referrals": Entry("GET", {**STAFF_OK, **PARTICIPANTS_404}, audits=0),
    "intake:new": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "dana": 200, "ivy": 200, **PARTICIPANTS_404}, audits=0
    ),
    "intake:referral": Entry(
        "GET", STAFF_CHART_READERS, referral_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "intake:screening": Entry(
        "POST",
        {r: 302 if v == 200 else v for r, v in STAFF_CHART_WRITERS.items()},
        referral_kwargs,
        other={r: 302 for r in OTHER_STAFF_READERS},
        data={"outcome": "proceed"},
    ),
    "intake:assessment": Entry(
        "GET", STAFF_CHART_WRITERS, referral_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    # The fixture referral is not at the decision step, so readers are sent back to it.
    "intake:level_of_care": Entry(
        "GET",
        {r: 302 if v == 200 else v for r, v in STAFF_CHART_READERS.items()},
        referral_kwargs,
        other={r: 302 for r in OTHER_STAFF_READERS},
        audits=1,
    ),
    "intake:outcome": Entry(
        "POST",
        {r: 302 if v == 200 else v for r, v in STAFF_CHART_WRITERS.items()},
        referral_kwargs,
        other={r: 302 for r in OTHER_STAFF_READERS},
        data={"outcome": "admit"},
    ),
    # The intake pipeline is a list (no read): the program's directors and intake
    # coordinators; everyone else 404.
    "intake:pipeline": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "dana": 200, "ivy": 200, **PARTICIPANTS_404}, audits=0
    ),
    "intake:targets": Entry(
        "GET",
        {**{r: 404 for r in STAFF_OK}, "dana": 200, **PARTICIPANTS_404},
        program_kwargs,
        audits=0,
    ),
    "intake:rules": Entry(
        "GET",
        {**{r: 404 for r in STAFF_OK}, "dana": 200, **PARTICIPANTS_404},
        program_kwargs,
        audits=0,
    ),
    # Scheduling. Group "own" is Pat's (Dr. Alvarez leads, Sam co-facilitates); "other" is
    # Quinn's (Dr. Chen leads). Directors manage; intake coordinators admit; facilitators see
    # their own group and record its attendance.
    "scheduling:index": Entry("GET", {**STAFF_OK, **PARTICIPANTS_404}, audits=0),
    "scheduling:my_week": Entry(
        "GET", {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}, audits=0
    ),
    "scheduling:reminder_preferences": Entry(
        "POST", {**{r: 404 for r in STAFF_OK}, "pat": 302, "quinn": 302}
    ),
    "scheduling:calendar": Entry("GET", {r: 200 for r in ROLES if r != "anonymous"}, audits=0),
    "scheduling:calendar_new": Entry("POST", {r: 200 for r in ROLES if r != "anonymous"}),
    "scheduling:calendar_revoke": Entry("POST", {r: 302 for r in ROLES if r != "anonymous"}),
    # The feed's secret token is its only credential: an unknown token is 404 for everyone.
    "scheduling:feed": Entry("GET", {r: 404 for r in ROLES}, feed_kwargs, audits=0),
    "scheduling:week_grid": Entry(
        "GET",
        {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 200, "ivy": 200},
        _scheduled("program"),
        audits=0,
    ),
    "scheduling:add_holiday": Entry(
        "POST",
        {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 302, "ivy": 403},
        _scheduled("program"),
    ),
    "scheduling:closures": Entry(
        "GET",
        {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 200, "ivy": 403},
        _scheduled("program"),
        audits=0,
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
        audits=1,
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
        audits=0,
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
        audits=1,
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
        audits=1,
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
        audits=1,
    ),
    # Video: only the session's assigned staff (Alvarez, Sam / Chen) and booked participants
    # (Pat / Quinn); not the director, not the care team, not intake.
    "telehealth:health": Entry("GET", {r: 200 for r in ROLES if r != "anonymous"}, audits=0),
    # The Janus pool's health page and its drain button: administrators only.
    "telehealth:nodes": Entry("GET", {**NOBODY, "admin": 200}, audits=0),
    "telehealth:node_drain": Entry(
        "POST",
        {**NOBODY, "admin": 302},
        lambda case, target: {"name": "default" if target != "missing" else "no-such-node"},
        other={"admin": 302},
        data={"draining": "1"},
    ),
    # Lists only the signed-in person's own sessions.
    "telehealth:sessions": Entry("GET", {r: 200 for r in ROLES if r != "anonymous"}, audits=0),
    "telehealth:join": Entry(
        "GET",
        {**NOBODY, **VIDEO_STAFF_OK, "pat": 200},
        session_kwargs,
        other=VIDEO_OTHER_OK,
        audits=0,
    ),
    "telehealth:waiting": Entry(
        "GET", {**NOBODY, "pat": 200}, session_kwargs, other={"quinn": 200}, audits=0
    ),
    "telehealth:help": Entry(
        "POST", {**NOBODY, "pat": 200}, admitted_session_kwargs, other={"quinn": 200}
    ),
    "telehealth:help_seen": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, attendance_kwargs, other={"chen": 302}
    ),
    "telehealth:status": Entry(
        "GET", {**NOBODY, "pat": 200}, session_kwargs, other={"quinn": 200}, audits=0
    ),
    # Staff open the room; a participant not yet admitted is sent to the waiting room.
    "telehealth:room": Entry(
        "GET",
        {**NOBODY, **VIDEO_STAFF_OK, "pat": 302},
        session_kwargs,
        other={"chen": 200, "quinn": 302},
        audits=0,
    ),
    "telehealth:ticket": Entry(
        "POST",
        {**NOBODY, **VIDEO_STAFF_OK, "pat": 403},
        session_kwargs,
        other={"chen": 200, "quinn": 403},
    ),
    "telehealth:presence": Entry(
        "POST",
        {**NOBODY, **VIDEO_STAFF_OK, "pat": 403},
        session_kwargs,
        other={"chen": 200, "quinn": 403},
        data={"kind": "heartbeat"},
    ),
    "telehealth:feeds": Entry(
        "POST",
        {**NOBODY, **VIDEO_STAFF_OK, "pat": 403},
        session_kwargs,
        other={"chen": 200, "quinn": 403},
    ),
    "telehealth:waiting_list": Entry(
        "GET", {**NOBODY, **VIDEO_STAFF_OK}, session_kwargs, other={"chen": 200}, audits=1
    ),
    "telehealth:admit_all": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, session_kwargs, other={"chen": 302}
    ),
    "telehealth:admit": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, attendance_kwargs, other={"chen": 302}
    ),
    "telehealth:remove": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, attendance_kwargs, other={"chen": 302}
    ),
    "telehealth:breakout": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, attendance_kwargs, other={"chen": 302}
    ),
    # The crisis card's call link reports which number was dialled (a beacon, 204).
    "telehealth:crisis_call": Entry(
        "POST",
        {**NOBODY, "alvarez": 204, "sam": 204},
        attendance_kwargs,
        other={"chen": 204},
        data={"number": "callback"},
    ),
    "telehealth:mute": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, attendance_kwargs, other={"chen": 302}
    ),
    "telehealth:end": Entry(
        "POST", {**NOBODY, **VIDEO_STAFF_302}, session_kwargs, other={"chen": 302}
    ),
    "telehealth:attendance": Entry(
        "GET", {**NOBODY, **VIDEO_STAFF_OK}, session_kwargs, other={"chen": 200}, audits=1
    ),
    "telehealth:correct": Entry(
        "POST",
        {**NOBODY, **VIDEO_STAFF_302},
        attendance_kwargs,
        other={"chen": 302},
        data={"minutes": "10", "reason": "Joined by phone for the first 10 minutes"},
    ),
}


def _collect_app_rows() -> None:
    """Add each app's own rows (`<app>.tests.authz`)."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tests.authz"
        if (
            not config.name.startswith("openiop.")
            or importlib.util.find_spec(f"{config.name}.tests") is None
            or importlib.util.find_spec(module_name) is None
        ):
            continue
        module = importlib.import_module(module_name)
        overlap = set(MATRIX) & set(module.MATRIX)
        assert not overlap, f"{module_name} repeats matrix rows: {sorted(overlap)}"
        MATRIX.update(module.MATRIX)
        GET_AND_POST.update(getattr(module, "GET_AND_POST", set()))


_collect_app_rows()


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


SESSION_REUSE_SECONDS = 60


# Sessions and tickets in the fixtures are made relative to now; a fixed Tuesday morning in New
# York keeps every answer the same on any real day or hour.
@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=True)
class AuthorizationMatrixTestCase(BaseTestCase):
    def test_every_url_has_an_entry(self):
        names = {n for n in all_url_names() if not n.startswith(EXEMPT_PREFIXES)}
        missing = sorted(names - set(MATRIX))
        self.assertEqual(missing, [], "URLs without an authorization-matrix entry")
        stale = sorted(set(MATRIX) - names)
        self.assertEqual(stale, [], "Matrix entries for URLs that no longer exist")

    def sign_in_as(self, role: str) -> None:
        """Present `role`'s session, made once a minute: signing in afresh for each of the
        ~5,000 requests took much of this test's time. What a request does to the session
        (a sign-out, the idle clock) is rolled back with the rest of the request; the session
        is remade before the idle timeout could end it, however slow the machine."""
        self.client.cookies = SimpleCookie()
        if role == "anonymous":
            return
        key, made = getattr(self, "_sessions", {}).get(role, ("", 0.0))
        if time.monotonic() - made > SESSION_REUSE_SECONDS:
            self.login(self.everyone[role])
            key, made = self.client.cookies[settings.SESSION_COOKIE_NAME].value, time.monotonic()
            self._sessions = {**getattr(self, "_sessions", {}), role: (key, made)}
        self.client.cookies[settings.SESSION_COOKIE_NAME] = key

    def request(self, entry: Entry, name: str, role: str, target: str) -> tuple[int, int]:
        """The status code, and how many read events the request wrote."""
        kwargs = entry.kwargs(self, target) if entry.kwargs else {}
        url = reverse(name, kwargs=kwargs)
        self.sign_in_as(role)
        reads = AuditEvent.objects.filter(event_type__in=READ_EVENTS)
        # Each request runs in its own savepoint so a permitted write cannot change what
        # the next role sees.
        with transaction.atomic():
            before = reads.count()
            if entry.method == "GET":
                response = self.client.get(url)
            else:
                response = self.client.post(url, entry.data)
            written = reads.count() - before
            transaction.set_rollback(True)
        return response.status_code, written

    def test_matrix(self):
        for name, entry in MATRIX.items():
            targets = ("own", "other", "missing") if entry.kwargs else ("own",)
            for role in ROLES:
                for target in targets:
                    if role == "anonymous":
                        expected = entry.expect.get("anonymous", 302)
                        if target == "missing" and entry.anonymous_missing is not None:
                            expected = entry.anonymous_missing
                    elif target == "own":
                        expected = entry.expect[role]
                    elif target == "other":
                        expected = entry.other.get(role, 404)
                    else:
                        expected = 404
                    with self.subTest(url=name, role=role, target=target):
                        status, reads = self.request(entry, name, role, target)
                        self.assertEqual(status, expected)
                        if entry.method == "GET" and status == 200:
                            self.assertIsNotNone(
                                entry.audits, "Decide how many read events this page writes"
                            )
                            self.assertEqual(reads, entry.audits, "read events written")

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
