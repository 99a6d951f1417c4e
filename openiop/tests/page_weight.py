"""What a participant downloads to open each portal page, measured in Chromium.

Shared by the page-weight test (openiop/tests/test_page_weight.py) and the benchmark
(bench/portal_weight.py). A page's weight is the bytes that crossed the network for its
document and every subresource it loaded, on first load with a cold cache: the sum of Chrome's
`Network.loadingFinished.encodedDataLength` (compressed bodies plus headers), read through the
DevTools protocol.

To weigh a new participant page, add it to PAGES by URL name. Pages that need an object (a
session, a questionnaire) name it in `needs`; the fixture (PortalFixture) provides it. Links on
the participant's Today page, its menu and footer that are not in the list are weighed too, so
a page linked from there is covered before anyone lists it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from playwright.sync_api import Error as PlaywrightError

KB = 1000
PAGE_BUDGET = 60 * KB
ROOM_BUDGET = 150 * KB
PHONE = {"width": 390, "height": 844}
# The weak link of issue 12: 400 kbit/s down, 400 ms round trip.
WEAK_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


@dataclass(frozen=True)
class PortalPage:
    label: str
    url_name: str
    # Keys of PortalFixture.objects giving the URL's arguments, in order.
    needs: tuple[str, ...] = ()
    budget: int = PAGE_BUDGET


# Every participant page. A URL name not (yet) in the project is skipped and reported, so a
# page another change adds can be listed here before it lands.
PAGES: list[PortalPage] = [
    PortalPage("Today", "home"),
    PortalPage("My week", "scheduling:my_week"),
    PortalPage("Calendar feed", "scheduling:calendar"),
    PortalPage("Security settings", "mfa_index"),
    PortalPage("Settings", "portal:settings"),
    PortalPage("Crisis help", "portal:crisis"),
    PortalPage("My progress", "outcomes:my_progress"),
    PortalPage("My consents", "consent:mine"),
    PortalPage("My notes", "notes:my_notes"),
    PortalPage("My record", "notes:my_record"),
    PortalPage("Who has seen my record", "participants:record_access"),
    PortalPage("Questionnaires", "assessments:mine"),
    PortalPage("Questionnaire", "assessments:respond", needs=("assignment",)),
    PortalPage("My safety plan", "safety:my_plan"),
    PortalPage("My plan", "careplans:my_plan"),
    PortalPage("Video sessions", "telehealth:sessions"),
    PortalPage("Before you join", "telehealth:join", needs=("next_session",)),
    PortalPage("Video room", "telehealth:room", needs=("session",), budget=ROOM_BUDGET),
]

# Links followed from the Today page that are files or actions, not pages.
NOT_PAGES = (".pdf", ".json", ".ics", "/logout/", "/sw.js")


@dataclass
class Transfer:
    url: str
    bytes: int
    encoding: str
    cache_control: str
    status: int


@dataclass
class Weight:
    label: str
    url: str
    budget: int
    status: int = 0
    seconds: float = 0.0
    # Where the browser ended up: a redirect means some other page was weighed.
    final_url: str = ""
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.bytes for t in self.transfers)

    def summary(self) -> str:
        lines = [f"{self.label} {self.url}: {self.total / KB:.1f} kB (budget {self.budget / KB:g})"]
        lines += [
            f"  {t.bytes / KB:7.1f} kB {t.encoding or 'identity':8} {t.status} {t.url}"
            for t in sorted(self.transfers, key=lambda t: -t.bytes)
        ]
        return "\n".join(lines)


def resolve(pages: Iterable[PortalPage], objects: dict[str, Any]) -> tuple[list, list[str]]:
    """(page, path) for each page whose URL name exists; the labels of those that do not."""
    found, missing = [], []
    for page in pages:
        try:
            path = reverse(page.url_name, args=[objects[key] for key in page.needs])
        except NoReverseMatch:
            missing.append(f"{page.label} ({page.url_name})")
            continue
        found.append((page, path))
    return found, missing


class Meter:
    """Weighs page loads in one Playwright page through a DevTools session."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self._responses: dict[str, dict[str, Any]] = {}
        self._finished: dict[str, int] = {}
        self._pending: set[str] = set()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._done)
        self.cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event: dict[str, Any]) -> None:
        if not event["request"]["url"].startswith("data:"):
            self._pending.add(event["requestId"])

    def _response(self, event: dict[str, Any]) -> None:
        self._responses[event["requestId"]] = event["response"]

    def _done(self, event: dict[str, Any]) -> None:
        self._pending.discard(event["requestId"])
        self._finished[event["requestId"]] = int(event["encodedDataLength"])

    def _failed(self, event: dict[str, Any]) -> None:
        self._pending.discard(event["requestId"])

    def emulate(self, conditions: dict[str, Any]) -> None:
        self.cdp.send("Network.emulateNetworkConditions", conditions)

    def weigh(self, label: str, url: str, budget: int, *, quiet_ms: int = 700) -> Weight:
        """Load `url` with a cold cache; wait for the load event and then for the network to
        be quiet for `quiet_ms`, so requests scripts make on load (a connection probe) count."""
        self.cdp.send("Network.clearBrowserCache")
        self._responses.clear()
        self._finished.clear()
        self._pending.clear()
        try:
            response = self.page.goto(url, wait_until="load", timeout=60_000)
        except PlaywrightError:
            response = None  # an error status with an empty body: reported as status 0
        seconds = self.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n ? n.loadEventEnd / 1000 : 0; }"
        )
        # Pages that poll (the video room) are never quiet: their first seconds are weighed.
        deadline = time.monotonic() + 5
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(100)
            if self._pending:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_ms / 1000:
                break
        weight = Weight(label, url, budget, response.status if response else 0, seconds)
        weight.final_url = self.page.url
        for request_id, size in self._finished.items():
            meta = self._responses.get(request_id, {})
            headers = {k.lower(): v for k, v in meta.get("headers", {}).items()}
            weight.transfers.append(
                Transfer(
                    url=meta.get("url", "?"),
                    bytes=size,
                    encoding=headers.get("content-encoding", ""),
                    cache_control=headers.get("cache-control", ""),
                    status=int(meta.get("status", 0)),
                )
            )
        return weight


def linked_pages(page: Any, origin: str, known: set[str]) -> list[str]:
    """Same-origin page links in the current page's menu, main content and footer that are
    not in `known` (paths), in page order."""
    hrefs = page.eval_on_selector_all(
        "header nav a[href], main a[href], footer a[href]", "els => els.map(e => e.href)"
    )
    found: list[str] = []
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path
        if f"{parts.scheme}://{parts.netloc}" != origin or path in known or path in found:
            continue
        if any(marker in path for marker in NOT_PAGES):
            continue
        found.append(path)
    return found


def weigh_portal(
    page: Any,
    origin: str,
    objects: dict[str, Any],
    *,
    pages: Iterable[PortalPage] = PAGES,
    conditions: dict[str, Any] | None = None,
    on_page: Callable[[Weight], None] | None = None,
) -> tuple[list[Weight], list[str]]:
    """Weigh every listed page, then the pages the Today page links to that are not listed.
    Returns the weights and the listed pages whose URL names do not exist."""
    meter = Meter(page)
    if conditions:
        meter.emulate(conditions)
    listed, missing = resolve(pages, objects)
    weights = []
    known = {path for _, path in listed}
    discovered: list[str] = []
    for portal_page, path in listed:
        weight = meter.weigh(portal_page.label, origin + path, portal_page.budget)
        weights.append(weight)
        if on_page:
            on_page(weight)
        if portal_page.url_name == "home":
            discovered = linked_pages(page, origin, known)
    for path in discovered:
        weight = meter.weigh(f"Linked from Today: {path}", origin + path, PAGE_BUDGET)
        weights.append(weight)
        if on_page:
            on_page(weight)
    return weights, missing


def portal_objects(case: Any) -> dict[str, Any]:
    """What the listed pages need for Pat (openiop/testing.py's personas), made through the
    real actions: a group session starting now that Dr. Alvarez has opened and let Pat into
    (the room), another that Pat has not joined yet (its pre-join page: once admitted, Pat is
    sent on to the room), a PHQ-9 to answer and a signed safety plan (a whole plan to show)."""
    from django.test import Client

    from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
    from openiop.assessments.actions import assign_instrument, shipped_instrument
    from openiop.safety.actions import plan as actions_plan
    from openiop.safety.models import SafetyPlanEntry
    from openiop.telehealth.tests.helpers import make_session, pats_group, waiting_attendance

    session = pats_group(case)
    next_session = make_session(case, "Morning skills group", [case.alvarez], [case.pat])
    facilitator = Client()
    facilitator.force_login(case.alvarez)
    mfa = facilitator.session
    mfa[MFA_VERIFIED_SESSION_KEY] = True
    mfa.save()
    facilitator.get(reverse("telehealth:room", args=[session.code]))  # opens the room
    attendance = waiting_attendance(session, case.pat)
    facilitator.post(reverse("telehealth:admit", args=[session.code, attendance.code]))

    assignment = assign_instrument(case.pat, shipped_instrument("phq-9"), acting_user=case.alvarez)

    draft = actions_plan.start_draft(case.pat, acting_user=case.alvarez)
    content = actions_plan.PlanContent.of(draft)
    content.lines[SafetyPlanEntry.Step.WARNING_SIGNS] = [actions_plan.Line("Lying awake at 2 a.m.")]
    content.lines[SafetyPlanEntry.Step.COPING] = [actions_plan.Line("Cold water, then a walk")]
    content.reason_for_living = "Teaching my nephew to swim"
    actions_plan.sign_plan(draft, content=content, acting_user=case.alvarez)
    return {
        "session": session.code,
        "next_session": next_session.code,
        "assignment": assignment.code,
    }


def signed_in_context(browser: Any, origin: str, user: Any, **options: Any) -> Any:
    """A browser context with `user`'s session cookie (sign-in is tested in accounts/)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": origin,
            }
        ]
    )
    return context
