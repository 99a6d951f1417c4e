"""One participant on a weak link, in a real group room: proven, not assumed (issue 12, item 8).

Three people in OpenIOP's own pages (a facilitator and two participants) with a real Janus and
real media in the lab namespace. Pat's link (both directions) is limited to 400 kbit, then
150 kbit, then freed again with tc (shaping.py); Quinn's link is left alone. Per step the test
records what Pat and Quinn receive from each other person: the simulcast layer asked for and
delivered, the decoded width, and the video and audio bitrates (test-artifacts/video-metrics.json).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from openiop.telehealth.models import Attendance, PresenceEvent, Room

from .helpers import make_session
from .lab import record_metrics
from .shaping import LinkLimit
from .test_video_pages import VideoPagesTestCase, wait_for_media

pytestmark = [pytest.mark.janus, pytest.mark.browser]

WINDOW_S = 4.0  # one bitrate measurement


def feed_stats(page: Page) -> dict[str, dict[str, Any]]:
    rows = page.evaluate("window.openiopVideo.feedStats()")
    return {str(row["id"]): row for row in rows}


def state(page: Page) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => {
                const v = window.openiopVideo;
                return {audioOnly: v.audioOnly, auto: v.autoAudioOnly, probing: v.probing,
                        quality: v.quality, status: v.status, log: v.log, errors: v.errors};
            }"""
        )
    )


class AudioWatch:
    """Polls a page's per-feed audio counters; remembers the longest time one did not grow."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.last: dict[str, tuple[int, float]] = {}
        self.longest_gap_s = 0.0

    def poll(self) -> dict[str, dict[str, Any]]:
        now = time.monotonic()
        rows = feed_stats(self.page)
        for feed, row in rows.items():
            seen, since = self.last.get(feed, (-1, now))
            if row["audioBytes"] > seen:
                self.last[feed] = (row["audioBytes"], now)
            else:
                self.longest_gap_s = max(self.longest_gap_s, now - since)
        return rows


def measure(pages: dict[str, Page], names: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Bitrates over one window, per page and per person received (by name)."""
    before = {who: feed_stats(p) for who, p in pages.items()}
    time.sleep(WINDOW_S)
    result: dict[str, dict[str, Any]] = {}
    for who, page in pages.items():
        after = feed_stats(page)
        seen: dict[str, Any] = {}
        for feed, b in after.items():
            a = before[who].get(feed, b)
            seconds = max((b["at"] - a["at"]) / 1000, 0.001)
            seen[names[feed]] = {
                "layer_asked": b["layer"],
                "layer_received": b["substream"],
                "temporal_asked": b["temporal"],
                "temporal_received": b["temporalNow"],
                "frame_width": b["frameWidth"],
                "video_kbps": round((b["videoBytes"] - a["videoBytes"]) * 8 / seconds / 1000, 1),
                "audio_kbps": round((b["audioBytes"] - a["audioBytes"]) * 8 / seconds / 1000, 1),
                "frames_decoded": b["framesDecoded"] - a["framesDecoded"],
            }
        s = state(page)
        result[who] = {"audio_only": s["audioOnly"], "automatic": s["auto"], "sees": seen}
    return result


RAMPED_KBPS = 550  # Pat's incoming video before the first limit


def video_kbps(page: Page, seconds: float = 1.5) -> float:
    """All video one page receives, over a short window."""
    before = sum(row["videoBytes"] for row in feed_stats(page).values())
    time.sleep(seconds)
    after = sum(row["videoBytes"] for row in feed_stats(page).values())
    return round((after - before) * 8 / seconds / 1000, 1)


def frame_widths(page: Page) -> list[int]:
    return [row["frameWidth"] for row in feed_stats(page).values()]


def decoding(page: Page, seconds: float = 1.0) -> bool:
    """Every video this page receives shows new frames (a layer switch can freeze a view until
    the next keyframe gets through the limit)."""
    before = {feed: row["framesDecoded"] for feed, row in feed_stats(page).items()}
    time.sleep(seconds)
    after = feed_stats(page)
    return bool(before) and all(
        row["framesDecoded"] > before.get(feed, row["framesDecoded"]) for feed, row in after.items()
    )


class WeakLinkTests(VideoPagesTestCase):
    limit: LinkLimit

    def wait(
        self, what: str, check: Callable[[], bool], timeout: float, watch: AudioWatch
    ) -> float:
        """Poll until ``check()``; keep watching Pat's audio meanwhile. Returns seconds taken."""
        start = time.monotonic()
        while not check():
            watch.poll()
            if time.monotonic() - start > timeout:
                raise AssertionError(
                    f"{what} did not happen in {timeout} s: {state(watch.page)} "
                    f"{feed_stats(watch.page)}\n{self.limit.stats()}"
                )
            time.sleep(0.5)
        watch.poll()
        return round(time.monotonic() - start, 1)

    def assert_heard(self, step: dict[str, Any], who: str) -> None:
        """Audio from every other person keeps arriving at ``who`` (Opus is ~20-30 kbps)."""
        for sender, seen in step[who]["sees"].items():
            self.assertGreater(seen["audio_kbps"], 5, f"{who} stopped hearing {sender}: {step}")

    def assert_unaffected(self, step: dict[str, Any], baseline: dict[str, Any]) -> None:
        """Quinn's view of the facilitator (neither on the weak link) stays on the top layer."""
        self.assertFalse(step["unaffected"]["audio_only"], step)
        self.assert_heard(step, "unaffected")
        now = step["unaffected"]["sees"]["facilitator"]
        before = baseline["unaffected"]["sees"]["facilitator"]
        self.assertEqual((now["layer_asked"], now["layer_received"]), (2, 2), step)
        self.assertEqual(now["frame_width"], before["frame_width"], step)
        # The fake camera's bitrate wanders with the CPU; the weak link would cut it far lower.
        self.assertGreater(now["frames_decoded"], 0, step)
        self.assertGreater(now["video_kbps"], 0.25 * before["video_kbps"], step)

    def test_a_weak_link_falls_to_audio_only_and_back_while_the_others_keep_their_video(self):
        started = time.monotonic()
        session = make_session(self, "Evening skills group", [self.alvarez], [self.pat, self.quinn])
        alvarez = self.facilitator_opens_room(session, self.alvarez)
        pat = self.participant_waits(session, self.pat_user)
        quinn = self.participant_waits(session, self.quinn_user)
        alvarez.get_by_role("button", name="Admit everyone").click()
        for page in (pat, quinn):
            page.wait_for_url("**/room/", timeout=20_000)
        pages = {"limited": pat, "unaffected": quinn, "facilitator": alvarez}
        try:
            # Generous: on a busy machine the three encoders compete for the CPU.
            wait_for_media(list(pages.values()), feeds=2, timeout=90)
        except AssertionError as exc:
            per_feed = {who: list(feed_stats(p).values()) for who, p in pages.items()}
            raise AssertionError(f"{exc}\nper subscription: {per_feed}") from None
        names = {
            str(p.evaluate("window.openiopVideo.publisherId")): who for who, p in pages.items()
        }
        self.limit = LinkLimit(self.lab.ns, pat.evaluate("window.openiopVideo.localPorts()"))
        self.addCleanup(self.limit.lift)
        watch = AudioWatch(pat)
        steps: dict[str, Any] = {
            "limited_link": "Pat: download and upload, tc htb on Pat's UDP ports",
            "seconds_to_everyone_sees_everyone": round(time.monotonic() - started, 1),
        }

        # Baseline: the senders' bandwidth estimates start low and ramp up; wait until what Pat
        # receives clearly exceeds 400 kbit, or the first limit would prove nothing.
        top = 640
        self.wait("the top layer", lambda: min(frame_widths(pat)) >= top, 45, watch)
        ramp = time.monotonic()
        while (incoming := video_kbps(pat)) < RAMPED_KBPS:
            self.assertLess(time.monotonic() - ramp, 45, f"Pat receives only {incoming} kbps")
        steps["seconds_to_ramp_up"] = round(time.monotonic() - ramp, 1)
        baseline = steps["baseline"] = measure(pages, names)
        # Without any limit nobody may lose packets; if they do, the machine itself is too busy
        # (a starved renderer drops packets too) and no step below would mean anything.
        busy = f"load average {os.getloadavg()} on {os.cpu_count()} CPUs"
        for who in ("limited", "unaffected"):
            self.assertFalse(baseline[who]["audio_only"], f"{busy}: {baseline}")
            for sender, seen in baseline[who]["sees"].items():
                self.assertEqual(seen["layer_received"], 2, f"{busy}: {who}/{sender}: {baseline}")
                self.assertGreater(seen["frames_decoded"], 0, f"{who}/{sender}: {baseline}")
        self.assert_heard(baseline, "limited")
        self.assert_unaffected(baseline, baseline)

        # 400 kbit: two top layers (~2 x 450 kbps) no longer fit; Pat's view steps down a layer.
        step: dict[str, Any]
        self.limit.set(400)
        took = self.wait(
            "a lower layer at 400 kbit", lambda: max(frame_widths(pat)) < top, 45, watch
        )
        # The lower layer is decoded: every view shows new frames. At 400 kbit it still stutters
        # (Pat's own upload fills the same link, delaying the keyframe requests), so a single
        # 4 s window below may catch a freeze; its frames are recorded, not required.
        frozen = self.wait(
            "video moving again at the lower layer", lambda: decoding(pat), 30, watch
        )
        step = steps["limited_400kbit"] = {
            "seconds_to_lower_layer": took,
            "seconds_frozen_after_the_switch": frozen,
        } | measure(pages, names)
        self.assertFalse(step["limited"]["audio_only"], step)
        for sender, seen in step["limited"]["sees"].items():
            self.assertLess(seen["layer_asked"], 2, f"{sender}: {step}")
            self.assertLess(seen["frame_width"], top, f"{sender}: {step}")
        self.assert_heard(step, "limited")
        self.assert_unaffected(step, baseline)

        # 150 kbit: even the lowest layer overflows; video stops by itself, audio goes on.
        self.limit.set(150)
        took = self.wait("audio only at 150 kbit", lambda: state(pat)["auto"], 60, watch)
        time.sleep(1)
        step = steps["limited_150kbit"] = {"seconds_to_audio_only": took} | measure(pages, names)
        self.assertTrue(step["limited"]["audio_only"], step)
        self.assert_heard(step, "limited")
        self.assert_unaffected(step, baseline)
        # The others still hear Pat. Pat's video to them shares Pat's 150 kbit upload with
        # Pat's audio: it drops to a few frames a second or, on a busy machine, freezes for a
        # while (a full CI run once decoded none in the 4 s window). That is Pat's link, not
        # the others' quality; it is recorded (frames_decoded of "limited"), not required.
        for who in ("facilitator", "unaffected"):
            pat_seen = step[who]["sees"]["limited"]
            self.assertGreater(pat_seen["audio_kbps"], 5, step)

        # Pat is still in the group and in attendance: records, Janus, the facilitator's list.
        attendance = Attendance.objects.get(participant=self.pat)
        self.assertEqual(attendance.state, Attendance.State.ADMITTED)
        gone = [PresenceEvent.Kind.LOST, PresenceEvent.Kind.LEFT]
        self.assertFalse(attendance.events.filter(kind__in=gone).exists())
        room = Room.objects.get(session_code=session.code)
        with self.lab.client() as janus_client:
            in_room = {str(p["id"]) for p in janus_client.participants(room.janus_room_id)}
        self.assertEqual(in_room, set(names))
        for page in (alvarez, quinn):
            page.locator("#remote-grid figcaption", has_text="Pat L.").wait_for()
        alvarez.locator("#waiting-list").get_by_text("Pat L.").wait_for()
        self.assertEqual(state(pat)["status"], "joined")

        # Lifted: a probe finds room again and video comes back without anyone pressing a button.
        self.limit.lift()
        took = self.wait("video back", lambda: not state(pat)["audioOnly"], 60, watch)
        self.wait("frames again", lambda: min(frame_widths(pat)) > 0, 10, watch)
        step = steps["lifted"] = {"seconds_to_video_back": took} | measure(pages, names)
        for sender, seen in step["limited"]["sees"].items():
            self.assertGreater(seen["frames_decoded"], 0, f"{sender}: {step}")
            self.assertGreater(seen["video_kbps"], 20, f"{sender}: {step}")
        self.assert_heard(step, "limited")
        self.assert_unaffected(step, baseline)

        steps["limited_longest_audio_gap_s"] = round(watch.longest_gap_s, 1)
        steps["limited_client_log"] = state(pat)["log"]
        steps["seconds_total"] = round(time.monotonic() - started, 1)
        record_metrics("weak_link", steps)
        self.assertLess(watch.longest_gap_s, 3, "Pat's audio stopped for a while")
        self.assertNotIn("automatic audio-only", state(quinn)["log"])
        self.assertEqual([state(p)["errors"] for p in (pat, quinn, alvarez)], [[], [], []])
