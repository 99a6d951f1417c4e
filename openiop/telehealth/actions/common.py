"""Helpers shared by the telehealth actions: the audit row of an attendance change, and a
Janus call whose failure changes nothing (the room is already gone)."""

from __future__ import annotations

import contextlib

from openiop.accounts.models import User
from openiop.audit.actions import record

from .. import janus
from ..models import Attendance


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
