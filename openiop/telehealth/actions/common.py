"""Helpers shared by the telehealth actions: the audit row of an attendance change, and a
Janus call whose failure changes nothing (the room is already gone)."""

from __future__ import annotations

import contextlib

from openiop.accounts.models import User
from openiop.audit.actions import record

from .. import janus
from ..models import Attendance, Room


def record_for_attendance(event_type: str, attendance: Attendance, *, acting_user: User) -> None:
    """Audit one change to a participant's place in a session's room."""
    record(
        event_type,
        acting_user=acting_user,
        participant=attendance.participant,
        target=attendance,
        details={"session": str(attendance.session_code)},
    )


def destroy_quietly(node: str, janus_room_id: str, secret: str) -> None:
    with contextlib.suppress(janus.JanusError), janus.connect_node(node) as client:
        client.destroy_room(janus_room_id, secret)


# A participant, the co-facilitator, and room for a second staff member.
BREAKOUT_PUBLISHERS = 3


def as_janus_room(room: Room, *, breakout: bool = False) -> janus.Room:
    return janus.Room(
        room_id=room.breakout_janus_room_id if breakout else room.janus_room_id,
        secret=room.secret,
        pin=room.pin,
        publishers=BREAKOUT_PUBLISHERS if breakout else room.publishers,
        bitrate=room.bitrate,
    )
