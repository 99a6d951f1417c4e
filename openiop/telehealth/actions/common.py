"""Helpers shared by the telehealth actions: the audit row of an attendance change, and the
Janus calls whose failure changes nothing (the room or the person is already gone)."""

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


def destroy_quietly(janus_room_id: str, secret: str) -> None:
    with contextlib.suppress(janus.JanusError), janus.connect_node() as client:
        client.destroy_room(janus_room_id, secret)


def kick(room: Room, janus_participant_id: str) -> None:
    """Out of whichever of the session's rooms they are in (group or breakout)."""
    for janus_room_id in filter(None, [room.janus_room_id, room.breakout_janus_room_id]):
        # JanusError: not in that room, or already gone; their next ticket is refused anyway.
        with contextlib.suppress(janus.JanusError), janus.connect_node() as client:
            client.kick(janus_room_id, room.secret, janus_participant_id)
