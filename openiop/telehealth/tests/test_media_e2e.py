"""Real media through a real Janus: headless Chromium pages with fake camera and microphone.

Everything runs in a private network namespace (see lab.py); the pages are served from
127.0.0.1 inside it (a secure context, so getUserMedia exists).
"""

from __future__ import annotations

import secrets
import statistics
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from openiop.telehealth import tokens

from .lab import JANUS_WS_PORT, record_metrics
from .pages import PageServer

pytestmark = [pytest.mark.janus, pytest.mark.browser]


@pytest.fixture(scope="module")
def pages(lab) -> Iterator[PageServer]:
    server = PageServer(lab.browser_janus_url)
    lab.ns.expose(server.port)
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser(lab) -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(**lab.launch_options())
        yield chromium
        chromium.close()


class Room:
    def __init__(self, lab, pages: PageServer, browser: Browser, publishers: int) -> None:
        self.lab, self.pages, self.browser = lab, pages, browser
        self.extra: dict[str, Any] = {}
        with lab.client() as client:
            self.room = client.create_room(publishers=publishers)
        self.contexts: list[Any] = []

    def ticket(self, name: str) -> dict[str, Any]:
        secret = self.lab.config.token_secret
        return {
            "server": self.lab.browser_janus_url,
            "iceServers": [],
            "coreToken": tokens.core_token(secret),
            "roomToken": tokens.room_token(secret, self.room.room_id),
            "room": self.room.room_id,
            "pin": self.room.pin,
            "display": name,
            "simulcast": False,
            **self.extra,
        }

    def refresh(self, name: str) -> dict[str, Any]:
        with self.lab.client() as client:
            client.ensure_room(self.room)
        return self.ticket(name)

    def open(self, name: str) -> Page:
        key = secrets.token_hex(8)
        self.pages.tickets[key] = {**self.ticket(name), "refreshUrl": f"/ticket/{key}"}
        self.pages.refreshers[key] = lambda: self.refresh(name)
        context = self.browser.new_context(viewport={"width": 640, "height": 480})
        self.contexts.append(context)
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{self.pages.port}/room/{key}", wait_until="domcontentloaded")
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        if not self.lab.janus.running:
            return
        with self.lab.client() as client:
            client.destroy_room(self.room.room_id, self.room.secret)


@pytest.fixture
def make_room(lab, pages, browser) -> Iterator[Any]:
    rooms: list[Room] = []

    def make(publishers: int) -> Room:
        rooms.append(Room(lab, pages, browser, publishers))
        return rooms[-1]

    yield make
    for room in rooms:
        room.close()


# Media flows in about 5 s on a quiet machine; a busy 2-core CI runner has needed 20 s or more.
MEDIA_TIMEOUT_S = 60

NOT_READY = {"videoStreams": 0, "audioStreams": 0, "errors": [], "timing": {}}


def stats(page: Page) -> dict[str, Any]:
    """What the page receives, from getStats() of all its subscriptions."""
    result = page.evaluate(
        """async () => {
            const v = window.openiopVideo;
            if (!v) return null;
            return {...(await v.stats()), status: v.status, errors: v.errors, timing: v.timing};
        }"""
    )
    return result or NOT_READY


def wait_for_media(pages: list[Page], expected_feeds: int, timeout: float) -> list[dict]:
    """Poll every page until each decodes video and hears audio from all the others."""
    deadline = time.monotonic() + timeout
    while True:
        results = [stats(p) for p in pages]
        done = all(
            r["videoStreams"] == expected_feeds
            and r["audioStreams"] == expected_feeds
            and r["timing"].get("firstRemoteFrame") is not None
            for r in results
        )
        if done or time.monotonic() > deadline:
            return results
        for r in results:
            assert not r["errors"], r["errors"]
        time.sleep(0.25)


def join_ms(result: dict) -> float:
    """Page script start (connect, camera, publish, subscribe) -> first decoded remote frame."""
    return result["timing"]["firstRemoteFrame"] - result["timing"]["start"]


def joined_ms(result: dict) -> float:
    """Room join acknowledged by Janus -> first decoded remote frame."""
    return result["timing"]["firstRemoteFrame"] - result["timing"]["joined"]


def frame_metrics(results: list[dict]) -> dict[str, int]:
    page = sorted(join_ms(r) for r in results)
    joined = sorted(joined_ms(r) for r in results)
    return {
        "start_to_first_remote_frame_ms_median": round(statistics.median(page)),
        "start_to_first_remote_frame_ms_max": round(page[-1]),
        "joined_to_first_remote_frame_ms_median": round(statistics.median(joined)),
        "joined_to_first_remote_frame_ms_max": round(joined[-1]),
    }


def test_two_people_see_and_hear_each_other(make_room):
    room = make_room(publishers=4)
    facilitator = room.open("Alvarez A.")
    # A locator, not wait_for_function: the page's CSP forbids string evaluation.
    facilitator.locator("#video-status[data-status=joined]").wait_for()
    facilitator.wait_for_timeout(500)  # publishing
    # Pat joins a room where the facilitator is already on camera: the usual case.
    pat = room.open("Pat P.")
    results = wait_for_media([facilitator, pat], expected_feeds=1, timeout=MEDIA_TIMEOUT_S)
    for r in results:
        assert r["errors"] == []
        assert r["videoBytes"] > 0
        assert r["framesDecoded"] > 0
        assert r["audioBytes"] > 0
    record_metrics("two_people_late_joiner", frame_metrics(results[1:]))


def received(pages: list[Page]) -> tuple[int, int]:
    results = [stats(p) for p in pages]
    return sum(r["videoBytes"] for r in results), sum(r["audioBytes"] for r in results)


def status(page: Page) -> str:
    return str(page.evaluate("window.openiopVideo.status"))


def test_clients_rejoin_on_their_own_after_janus_restarts(lab, make_room):
    room = make_room(publishers=4)
    pages = [room.open("Pat P."), room.open("Alvarez A.")]
    wait_for_media(pages, expected_feeds=1, timeout=MEDIA_TIMEOUT_S)

    lab.janus.kill()
    deadline = time.monotonic() + 10
    while not all(status(p) == "reconnecting" for p in pages):
        assert time.monotonic() < deadline, [status(p) for p in pages]
        time.sleep(0.1)
    lost_at = time.monotonic()
    time.sleep(1)
    lab.restart_janus()

    results = wait_for_media(pages, expected_feeds=1, timeout=MEDIA_TIMEOUT_S)
    back_at = time.monotonic()
    for page, r in zip(pages, results, strict=True):
        assert r["videoStreams"] == 1 and r["audioStreams"] == 1, r
        assert page.evaluate("window.openiopVideo.reconnects") >= 1
        assert status(page) == "joined"
    record_metrics("janus_restart", {"lost_to_media_again_s": round(back_at - lost_at, 1)})


def test_a_facilitator_can_mute_a_participant_for_everyone(lab, make_room):
    room = make_room(publishers=4)
    pat, alvarez = room.open("Pat P."), room.open("Alvarez A.")
    wait_for_media([pat, alvarez], expected_feeds=1, timeout=MEDIA_TIMEOUT_S)
    pat_id = str(pat.evaluate("window.openiopVideo.publisherId"))
    with lab.client() as client:
        # The room client publishes audio first, so Pat's microphone is mid "0".
        client.mute(room.room.room_id, room.room.secret, pat_id, mid="0", mute=True)
    time.sleep(1)
    _, audio0 = received([alvarez])
    time.sleep(2)
    _, audio1 = received([alvarez])
    assert audio1 - audio0 < 500, "Pat's audio still reaches the facilitator"
    assert pat.evaluate("window.openiopVideo.mutedBy") == "facilitator"


def wait_until(page: Page, predicate, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        result = stats(page)
        if predicate(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.25)


def test_a_subscriber_can_switch_simulcast_layers(make_room):
    room = make_room(publishers=4)
    room.extra = {"simulcast": True, "capture": {"width": 1280, "height": 720}}
    pat, alvarez = room.open("Pat P."), room.open("Alvarez A.")
    wait_for_media([pat, alvarez], expected_feeds=1, timeout=MEDIA_TIMEOUT_S)
    # Lowest layer: a quarter of the captured width.
    pat.evaluate("window.openiopVideo.setLayer(0)")
    # Janus switches layers on the next keyframe; a busy machine makes that take a while.
    low = wait_until(pat, lambda r: 0 < r.get("frameWidth", 0) <= 320, timeout=30)
    assert 0 < low["frameWidth"] <= 320, low
    # The lowest layer on a clean link is not bad quality: more than the 5 rounds (10 s) that
    # lossy samples at that layer would need, and video stays on.
    time.sleep(13)
    assert pat.evaluate("window.openiopVideo.audioOnly") is False, pat.evaluate(
        "window.openiopVideo.log"
    )
    # Back up: a larger layer arrives (the top one may be held back while the CPU is busy).
    pat.evaluate("window.openiopVideo.setLayer(2)")
    high = wait_until(pat, lambda r: r.get("frameWidth", 0) > 320, timeout=20)
    assert high["frameWidth"] > 320, (
        high,
        pat.evaluate("window.openiopVideo.feedStats()"),
        pat.evaluate("window.openiopVideo.log"),
    )


def test_clients_rejoin_on_their_own_after_a_network_drop(lab, make_room):
    room = make_room(publishers=4)
    pages = [room.open("Pat P."), room.open("Alvarez A.")]
    wait_for_media(pages, expected_feeds=1, timeout=MEDIA_TIMEOUT_S)
    # Cut every connection to Janus's WebSocket inside the namespace (as a dropped Wi-Fi
    # would), while Janus itself keeps running.
    subprocess.run(
        [*lab.ns.prefix, "ss", "-K", "dst", "127.0.0.1", "dport", "=", str(JANUS_WS_PORT)],
        capture_output=True,
        check=False,
    )
    deadline = time.monotonic() + 15
    while not all(p.evaluate("window.openiopVideo.reconnects") >= 1 for p in pages):
        assert time.monotonic() < deadline, [status(p) for p in pages]
        time.sleep(0.1)
    before = [stats(p)["videoBytes"] for p in pages]
    results = wait_for_media(pages, expected_feeds=1, timeout=MEDIA_TIMEOUT_S)
    time.sleep(1)
    after = [stats(p)["videoBytes"] for p in pages]
    assert all(r["videoStreams"] == 1 for r in results)
    assert all(a > b for a, b in zip(after, before, strict=True)), "video did not resume"
