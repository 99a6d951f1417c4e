"""Rooms: opened on Janus just in time, put back after a Janus restart, closed at the end.

A Janus call cannot be rolled back, so each action orders it to leave nothing behind when the
database write fails: a room created for a lost race is destroyed again.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from openiop.accounts.models import User
from openiop.audit.actions import record

from .. import janus
from ..errors import SessionOver, VideoUnavailable
from ..models import Room
from ..queries import CLOSE_GRACE
from ..schedule import SessionInfo, get_session
from .common import destroy_quietly
from .guests import GUEST_SESSION_KINDS, MAX_GUESTS
from .nodes import place
from .presence import finalize_attendance


def guest_seats(info: SessionInfo) -> int:
    """Room on camera for invited guests (an interpreter, family) where guests may come."""
    return MAX_GUESTS if info.kind in GUEST_SESSION_KINDS else 0


def get_or_open_room(info: SessionInfo, *, acting_user: User) -> Room:
    """The session's room, created on Janus the first time anyone needs it."""
    room = Room.objects.filter(session_code=info.code, status=Room.Status.OPEN).first()
    if room is not None:
        return room
    if Room.objects.filter(session_code=info.code).exists():
        raise SessionOver(gettext("This session has ended."))
    if not settings.TELEHEALTH_ENABLED:
        raise VideoUnavailable(gettext("Video is not set up on this server."))
    node, created = place(
        lambda client: client.create_room(publishers=info.publishers + guest_seats(info)),
        acting_user=acting_user,
    )
    try:
        with transaction.atomic():
            room = Room.objects.create(
                session_code=info.code,
                janus_node=node,
                janus_room_id=created.room_id,
                secret=created.secret,
                pin=created.pin,
                publishers=created.publishers,
                bitrate=created.bitrate,
                opened_at=timezone.now(),
                opened_by=acting_user,
            )
            record(
                "telehealth.room_opened",
                acting_user=acting_user,
                target=room,
                details={"session": str(info.code), "publishers": created.publishers},
            )
    except IntegrityError:
        # Another request opened it first: keep theirs, remove ours from Janus.
        destroy_quietly(node, created.room_id, created.secret)
        return Room.objects.get(session_code=info.code)
    return room


@transaction.atomic
def close_room(room: Room, info: SessionInfo | None, *, acting_user: User | None) -> None:
    """End the room for everyone; ``acting_user`` is None when the system closes it."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    if not room.is_open:
        return
    room.status = Room.Status.CLOSED
    room.closed_at = timezone.now()
    room.save(update_fields=["status", "closed_at"])
    if info is not None:
        finalize_attendance(info, acting_user=acting_user)
    record("telehealth.room_closed", acting_user=acting_user, target=room)
    try:
        with janus.connect_node(room.janus_node) as client:
            client.destroy_room(room.janus_room_id, room.secret)
            if room.breakout_janus_room_id:
                client.destroy_room(room.breakout_janus_room_id, room.secret)
    except janus.JanusError:
        # Janus down: its rooms are gone with it (rooms are never permanent).
        pass


def close_finished_rooms(*, now: datetime | None = None) -> int:
    """Close every open room whose session ended more than CLOSE_GRACE ago (run every minute).

    Facilitators usually end the session themselves; this catches the rest, so no room outlives
    its session on Janus. Returns how many rooms were closed.
    """
    now = now or timezone.now()
    closed = 0
    for room in Room.objects.filter(status=Room.Status.OPEN):
        info = get_session(room.session_code)
        if info is None or info.ends_at + CLOSE_GRACE < now:
            close_room(room, info, acting_user=None)
            closed += 1
    return closed
