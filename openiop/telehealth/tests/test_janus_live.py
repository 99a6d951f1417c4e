"""The adapter and the ticket rules against a real Janus (no browser)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from openiop.telehealth import janus, tokens

pytestmark = pytest.mark.janus


class RawJanus:
    """Speaks the Janus API directly, the way a browser with a given ticket would."""

    def __init__(self, lab, core_token: str | None):
        self.lab = lab
        self.core_token = core_token
        self.ws = connect(
            f"ws://127.0.0.1:{lab.janus_host_port}",
            subprotocols=[Subprotocol("janus-protocol")],
            proxy=None,
            legacy=True,
        )
        self.session_id: int | None = None

    def call(self, message: dict[str, Any]) -> dict[str, Any]:
        transaction = secrets.token_hex(6)
        message = {**message, "transaction": transaction}
        if self.core_token is not None:
            message["token"] = self.core_token
        if self.session_id:
            message["session_id"] = self.session_id
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=5))
            if reply.get("transaction") == transaction and reply["janus"] != "ack":
                return reply

    def open(self) -> dict[str, Any]:
        reply = self.call({"janus": "create"})
        if reply["janus"] == "success":
            self.session_id = reply["data"]["id"]
        return reply

    def join(self, room: janus.Room, room_token: str | None, pin: str | None = None) -> dict:
        handle = self.call({"janus": "attach", "plugin": tokens.VIDEOROOM_PLUGIN})["data"]["id"]
        body = {"request": "join", "ptype": "publisher", "room": room.room_id, "display": "Pat P."}
        body["pin"] = room.pin if pin is None else pin
        if room_token is not None:
            body["token"] = room_token
        reply = self.call({"janus": "message", "handle_id": handle, "body": body})
        return reply["plugindata"]["data"]

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def room(lab):
    with lab.client() as client:
        created = client.create_room(publishers=4)
    yield created
    with lab.client() as client:
        client.destroy_room(created.room_id, created.secret)


@pytest.fixture
def raw(lab):
    opened = []

    def make(core_token):
        conn = RawJanus(lab, core_token)
        opened.append(conn)
        return conn

    yield make
    for conn in opened:
        conn.close()


def test_health_check_sees_videoroom(lab):
    health = lab.health()
    assert health.ok
    assert health.version == "1.1.2"


def test_health_check_reports_a_missing_janus():
    # Port 9 (discard) on loopback: nothing listens there.
    health = janus.health("ws://127.0.0.1:9", timeout=0.5)
    assert not health.ok
    assert "cannot connect" in health.detail


def test_it_creates_a_private_room_and_destroys_it(lab):
    with lab.client() as client:
        room = client.create_room(publishers=9)
        assert len(room.room_id) == 36
        assert client.room_exists(room.room_id)
        client.destroy_room(room.room_id, room.secret)
        assert not client.room_exists(room.room_id)
        # Destroying twice (session end after a node restart) is not an error.
        client.destroy_room(room.room_id, room.secret)


def test_private_rooms_are_not_listed(lab, room, raw):
    conn = raw(tokens.core_token(lab.config.token_secret))
    conn.open()
    handle = conn.call({"janus": "attach", "plugin": tokens.VIDEOROOM_PLUGIN})["data"]["id"]
    reply = conn.call({"janus": "message", "handle_id": handle, "body": {"request": "list"}})
    listed = [r["room"] for r in reply["plugindata"]["data"]["list"]]
    assert room.room_id not in listed


def test_room_creation_needs_the_admin_key(lab):
    client = lab.client()
    client.admin_key = "not-the-admin-key"
    with client, pytest.raises(janus.JanusError) as caught:
        client.create_room(publishers=2)
    assert caught.value.code == 433


def test_a_valid_ticket_joins(lab, room, raw):
    secret = lab.config.token_secret
    conn = raw(tokens.core_token(secret))
    assert conn.open()["janus"] == "success"
    data = conn.join(room, tokens.room_token(secret, room.room_id))
    assert data["videoroom"] == "joined"


@pytest.mark.parametrize(
    "core_token",
    [
        pytest.param(None, id="missing"),
        pytest.param("forged", id="forged"),
        pytest.param("expired", id="expired"),
    ],
)
def test_janus_refuses_a_bad_core_token(lab, raw, core_token):
    secret = lab.config.token_secret
    token = {
        None: None,
        "forged": tokens.core_token("a-forged-secret-that-is-long-enough-000000"),
        "expired": tokens.core_token(secret, now=time.time() - 3600, ttl=60),
    }[core_token]
    reply = raw(token).open()
    assert reply["janus"] == "error"
    assert reply["error"]["code"] == 403


def test_janus_refuses_a_core_token_for_another_plugin(lab, raw):
    conn = raw(tokens.core_token(lab.config.token_secret, plugins=["janus.plugin.echotest"]))
    conn.open()
    reply = conn.call({"janus": "attach", "plugin": tokens.VIDEOROOM_PLUGIN})
    assert reply["janus"] == "error"
    assert reply["error"]["code"] == 405


@pytest.mark.parametrize("case", ["missing", "forged", "expired", "other-room", "wrong-pin"])
def test_janus_refuses_a_bad_room_ticket(lab, room, raw, case):
    secret = lab.config.token_secret
    conn = raw(tokens.core_token(secret))
    conn.open()
    room_token: str | None = tokens.room_token(secret, room.room_id)
    pin = None
    if case == "missing":
        room_token = None
    elif case == "forged":
        room_token = tokens.room_token("a-forged-secret-that-is-long-enough-000000", room.room_id)
    elif case == "expired":
        room_token = tokens.room_token(secret, room.room_id, now=time.time() - 3600)
    elif case == "other-room":
        room_token = tokens.room_token(secret, "5e2a44a4-0c46-4e5f-9d3e-0f0f0f0f0f0f")
    elif case == "wrong-pin":
        pin = "not-the-pin"
    data = conn.join(room, room_token, pin=pin)
    assert data["videoroom"] == "event"
    assert data["error_code"] == 433


def test_ensure_room_recreates_a_lost_room_so_issued_tickets_still_work(lab, room, raw):
    secret = lab.config.token_secret
    issued = tokens.room_token(secret, room.room_id)
    with lab.client() as client:
        assert not client.ensure_room(room)  # still there: nothing to do
        client.destroy_room(room.room_id, room.secret)  # as if Janus restarted
        assert client.ensure_room(room)
    conn = raw(tokens.core_token(secret))
    conn.open()
    assert conn.join(room, issued)["videoroom"] == "joined"
