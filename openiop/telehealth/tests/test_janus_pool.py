"""The Janus pool with the in-memory seam: node list, placement, refusing and dead nodes,
draining, failover on a fresh ticket or a check, and the health page."""

from __future__ import annotations

import json
from datetime import timedelta

import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.lib.timefmt import format_datetime
from openiop.telehealth import actions, queries
from openiop.telehealth.checks import check_janus_nodes
from openiop.telehealth.models import Attendance, JanusNode, PresenceEvent, Room
from openiop.telehealth.nodes import NodeListError, configured_nodes, parse_nodes

from .fakes import FakeJanus
from .helpers import make_session, quinns_session
from .test_guests import GuestTestCase
from .test_views import VideoTestCase

NODES = [
    {"name": "a", "url": "ws://127.0.0.1:18201", "public_url": "wss://video-a.example.org"},
    {"name": "b", "url": "ws://127.0.0.1:18202", "public_url": "wss://video-b.example.org"},
]


class NodeListTests(VideoTestCase):
    def test_without_a_list_there_is_one_default_node_from_the_old_settings(self):
        with override_settings(
            JANUS_NODES="", JANUS_WS_IP="10.0.0.5", JANUS_WS_PORT=8200, JANUS_PUBLIC_URL="wss://v"
        ):
            [node] = configured_nodes()
        self.assertEqual(
            (node.name, node.url, node.public_url), ("default", "ws://10.0.0.5:8200", "wss://v")
        )

    def test_a_malformed_list_stops_start_up_naming_the_problem(self):
        good = {"name": "a", "url": "ws://127.0.0.1:1"}
        cases = {
            "[{": "not valid JSON",
            "{}": "non-empty JSON list",
            json.dumps([good, good]): "the name 'a' is used twice",
            json.dumps([{"name": "a"}]): "url of node 'a' is missing",
            json.dumps([{"name": "a", "url": "http://127.0.0.1:8088"}]): "must start with ws://",
            json.dumps([{"name": "a b", "url": "ws://x:1"}]): "needs a name",
            json.dumps([{**good, "public_url": "https://x"}]): "public_url of node 'a'",
        }
        for raw, words in cases.items():
            with self.subTest(raw=raw), override_settings(JANUS_NODES=raw):
                [error] = check_janus_nodes(None)
                self.assertEqual(error.id, "openiop.E007")
                self.assertIn(words, error.msg)
                with self.assertRaises(NodeListError):
                    configured_nodes()

    def test_a_good_list_passes_and_public_url_defaults_to_url(self):
        with override_settings(JANUS_NODES=json.dumps(NODES)):
            self.assertEqual(check_janus_nodes(None), [])
        [node] = parse_nodes('[{"name": "x", "url": "ws://127.0.0.1:9"}]')
        self.assertEqual(node.public_url, "ws://127.0.0.1:9")


@override_settings(JANUS_NODES=json.dumps(NODES))
class PlacementTests(VideoTestCase):
    def second_group(self):
        return make_session(self, "Second video group", [self.alvarez], [])

    def open(self, session, user=None):
        self.login(user or self.alvarez)
        response = self.client.get(reverse("telehealth:room", args=[session.code]))
        self.assertEqual(response.status_code, 200)
        return Room.objects.get(session_code=session.code), self.ticket_in(response)

    def test_rooms_spread_over_nodes_and_the_ticket_names_the_node(self):
        first, ticket = self.open(self.group)
        self.assertEqual(first.janus_node, "a")
        self.assertEqual(ticket["server"], "wss://video-a.example.org")
        self.assertEqual(FakeJanus.node_of[first.janus_room_id], "a")
        second, ticket = self.open(self.second_group())
        self.assertEqual(second.janus_node, "b")
        self.assertEqual(ticket["server"], "wss://video-b.example.org")

    def test_the_room_page_may_reach_every_node(self):
        self.login(self.alvarez)
        response = self.client.get(self.url("room"))
        csp = response.headers["Content-Security-Policy"]
        self.assertIn("wss://video-a.example.org", csp)
        self.assertIn("wss://video-b.example.org", csp)

    def test_placement_weighs_participants_before_rooms(self):
        self.admitted_pat()  # Pat's group on a, one participant
        quinn = quinns_session(self)
        second = self.second_group()
        self.assertEqual(self.open(quinn, self.chen)[0].janus_node, "b")
        # a: 1 room, 1 participant; b: 1 room, 0 participants.
        self.assertEqual(self.open(second)[0].janus_node, "b")

    def test_a_node_that_refuses_rooms_is_marked_and_the_next_one_used(self):
        FakeJanus.refusing.add("a")
        room, ticket = self.open(self.group)
        self.assertEqual(room.janus_node, "b")
        self.assertEqual(ticket["server"], "wss://video-b.example.org")
        node = JanusNode.objects.get(name="a")
        self.assertEqual(node.state, JanusNode.State.REFUSING)
        self.assertIn("403", node.detail)
        self.assertTrue(
            AuditEvent.objects.filter(
                event_type="telehealth.janus_node_changed", details__node="a"
            ).exists()
        )

    def test_a_dead_node_is_skipped(self):
        FakeJanus.kill("a")
        self.assertEqual(self.open(self.group)[0].janus_node, "b")
        self.assertEqual(JanusNode.objects.get(name="a").state, JanusNode.State.DOWN)

    def test_when_no_node_takes_the_room_video_is_unavailable(self):
        FakeJanus.kill("a")
        FakeJanus.refusing.add("b")
        self.login(self.alvarez)
        response = self.client.get(self.url("room"))
        self.assertContains(response, "Video is not available right now", status_code=409)
        self.assertFalse(Room.objects.exists())

    def test_a_draining_node_gets_no_new_rooms_but_keeps_its_live_ones(self):
        first, _ = self.open(self.group)
        self.assertEqual(first.janus_node, "a")
        call_command("janus_nodes", "drain", "a", stdout=open("/dev/null", "w"))  # noqa: SIM115
        self.assertTrue(
            AuditEvent.objects.filter(
                event_type="telehealth.janus_node_drained", details__node="a"
            ).exists()
        )
        # Both new rooms go to b although a has fewer... (a: 1 room, b: 0, then 1).
        self.assertEqual(self.open(self.second_group())[0].janus_node, "b")
        self.assertEqual(self.open(quinns_session(self), self.chen)[0].janus_node, "b")
        # The live room stays and still gets tickets there.
        self.login(self.alvarez)
        response = self.client.post(self.url("ticket"))
        self.assertEqual(response.json()["server"], "wss://video-a.example.org")
        actions.set_draining("a", False, acting_user=self.admin)
        self.assertFalse(JanusNode.objects.get(name="a").draining)


@override_settings(JANUS_NODES=json.dumps(NODES))
class FailoverTests(VideoTestCase):
    def test_a_fresh_ticket_re_places_the_room_of_a_dead_node(self):
        attendance = self.admitted_pat()
        room = Room.objects.get()
        self.assertEqual(room.janus_node, "a")
        FakeJanus.kill("a")
        self.login(self.pat_user)
        response = self.client.post(self.url("ticket"))
        self.assertEqual(response.status_code, 200)
        ticket = response.json()
        self.assertEqual(ticket["server"], "wss://video-b.example.org")
        # Same room identity: tickets already issued for it stay valid.
        self.assertEqual(ticket["room"], room.janus_room_id)
        room.refresh_from_db()
        self.assertEqual(room.janus_node, "b")
        self.assertEqual(FakeJanus.node_of[room.janus_room_id], "b")
        event = AuditEvent.objects.get(event_type="telehealth.room_replaced")
        self.assertEqual((event.details["node"], event.details["from_node"]), ("b", "a"))
        self.assertEqual(attendance.participant, self.pat)
        # The next person finds it there: moved once.
        self.login(self.alvarez)
        self.assertEqual(self.client.post(self.url("ticket")).json()["server"], ticket["server"])
        self.assertEqual(
            AuditEvent.objects.filter(event_type="telehealth.room_replaced").count(), 1
        )

    def test_the_breakout_room_moves_with_its_room(self):
        attendance = self.admitted_pat()
        self.login(self.alvarez)
        self.client.post(self.url("breakout", attendance.code), {"to": "breakout"})
        room = Room.objects.get()
        if not room.breakout_janus_room_id:
            self.skipTest("breakout form changed")
        FakeJanus.kill("a")
        self.client.post(self.url("ticket"))
        self.assertEqual(FakeJanus.node_of[room.breakout_janus_room_id], "b")

    def test_the_check_marks_nodes_and_re_places_rooms_of_dead_ones(self):
        self.admitted_pat()
        room = Room.objects.get()
        FakeJanus.kill("a")
        FakeJanus.refusing.add("b")
        results = {r.name: r.state for r in actions.check_nodes(replace=False)}
        self.assertEqual(results, {"a": "down", "b": "refusing"})
        FakeJanus.refusing.clear()
        actions.check_nodes()
        room.refresh_from_db()
        self.assertEqual(room.janus_node, "b")
        self.assertEqual(JanusNode.objects.get(name="b").state, JanusNode.State.UP)

    def test_a_room_on_a_node_no_longer_configured_is_re_placed(self):
        self.admitted_pat()
        Room.objects.update(janus_node="gone")
        self.login(self.pat_user)
        self.assertEqual(
            self.client.post(self.url("ticket")).json()["server"], "wss://video-a.example.org"
        )

    def test_attendance_shows_the_gap_of_a_failover(self):
        attendance = self.admitted_pat()
        info = _info(self.group)
        start = info.starts_at + timedelta(seconds=10)
        lost, back = start + timedelta(seconds=60), start + timedelta(seconds=68)
        for kind, at in (("joined", start), ("lost", lost), ("joined", back)):
            PresenceEvent.objects.create(attendance=attendance, kind=kind, at=at)
        with time_machine.travel(back + timedelta(seconds=20), tick=False):
            summary = queries.summarize(Attendance.objects.get(pk=attendance.pk), info)
            self.assertEqual(summary.reconnects, 1)
            self.assertEqual(summary.gaps, [(lost, back)])
            self.login(self.alvarez)
            response = self.client.get(self.url("attendance"))
        zone = response.wsgi_request.viewer_zone  # type: ignore[attr-defined]
        shown = format_datetime(lost, zone, "time")
        self.assertContains(response, f"{shown} (8 s)")


class SingleNodeRestartTests(VideoTestCase):
    """One Janus (no JANUS_NODES): a restart must not leave the room stuck on a "down" mark."""

    def test_a_restarted_node_marked_down_gets_its_room_back(self):
        self.admitted_pat()
        room = Room.objects.get()
        FakeJanus.kill(room.janus_node)
        self.login(self.pat_user)
        # While it is down: no other node to go to, the page is told to retry.
        self.assertEqual(self.client.post(self.url("ticket")).status_code, 503)
        self.assertEqual(JanusNode.objects.get(name=room.janus_node).state, JanusNode.State.DOWN)
        FakeJanus.down.clear()  # back, with no room (a restart), and no check has run since
        response = self.client.post(self.url("ticket"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["room"], room.janus_room_id)
        self.assertIn(room.janus_room_id, FakeJanus.rooms)
        self.assertEqual(JanusNode.objects.get(name=room.janus_node).state, JanusNode.State.UP)
        room.refresh_from_db()
        self.assertEqual(room.janus_node, "default")


def _info(session):
    from openiop.telehealth.schedule import get_session

    return get_session(session.code)


@override_settings(JANUS_NODES=json.dumps(NODES))
class HealthPageTests(VideoTestCase):
    def test_administrators_see_each_node_others_get_404(self):
        self.admitted_pat()
        FakeJanus.refusing.add("b")
        actions.check_nodes()
        self.login(self.admin)
        response = self.client.get(reverse("telehealth:nodes"))
        self.assertContains(response, "wss://video-a.example.org")
        rows = {n.name: n for n in response.context["nodes"]}
        self.assertEqual(
            (rows["a"].state, rows["a"].rooms, rows["a"].participants), ("healthy", 1, 1)
        )
        self.assertEqual((rows["b"].state, rows["b"].rooms), ("refusing", 0))
        # Fake nodes run nowhere on this host: no CPU figure is made up.
        self.assertContains(response, "not reported")
        for person in (self.alvarez, self.pat_user, self.dana):
            self.login(person)
            with self.subTest(person=person.email):
                self.assertEqual(self.client.get(reverse("telehealth:nodes")).status_code, 404)
                drain = reverse("telehealth:node_drain", args=["a"])
                self.assertEqual(self.client.post(drain, {"draining": "1"}).status_code, 404)
        self.assertFalse(JanusNode.objects.get(name="a").draining)

    def test_an_administrator_drains_a_node_from_the_page(self):
        self.login(self.admin)
        response = self.client.post(reverse("telehealth:node_drain", args=["b"]), {"draining": "1"})
        self.assertRedirects(response, reverse("telehealth:nodes"), fetch_redirect_response=False)
        self.assertTrue(JanusNode.objects.get(name="b").draining)
        event = AuditEvent.objects.get(event_type="telehealth.janus_node_drained")
        self.assertEqual(event.actor, self.admin)
        self.assertContains(self.client.get(reverse("telehealth:nodes")), "draining")
        self.assertEqual(
            self.client.post(reverse("telehealth:node_drain", args=["zz"])).status_code, 404
        )


@override_settings(JANUS_NODES=json.dumps(NODES))
class GuestFailoverTests(GuestTestCase):
    def test_a_guests_fresh_ticket_re_places_the_room_too(self):
        invite, guest = self.admitted_guest()
        room = Room.objects.get(session_code=self.session.code)
        self.assertEqual(room.janus_node, "a")
        FakeJanus.kill("a")
        response = guest.post(self.guest_url("ticket", invite))
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["server"], "wss://video-b.example.org")
        room.refresh_from_db()
        self.assertEqual(room.janus_node, "b")
        event = AuditEvent.objects.get(event_type="telehealth.room_replaced")
        self.assertIsNone(event.actor)
