"""Tickets: what a browser needs to join a room, signed here with no call to Janus."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant

from .. import tokens
from ..models import Room
from ..queries import capture_size, ice_servers
from ..schedule import SessionInfo


@transaction.atomic
def issue_ticket(
    info: SessionInfo,
    room: Room,
    *,
    display: str,
    acting_user: User,
    participant: Participant | None = None,
    breakout: bool = False,
) -> dict[str, Any]:
    """A short-lived core token + room token + pin: all a browser needs to join this room."""
    ttl = settings.TELEHEALTH_TICKET_TTL
    secret = settings.JANUS_TOKEN_SECRET
    room_id = room.breakout_janus_room_id if breakout else room.janus_room_id
    record(
        "telehealth.ticket_issued",
        acting_user=acting_user,
        participant=participant,
        target=room,
        details={"session": str(info.code), "ttl": ttl, "breakout": breakout},
    )
    return {
        "server": settings.JANUS_PUBLIC_URL,
        "iceServers": ice_servers(),
        "coreToken": tokens.core_token(secret, ttl=ttl),
        "roomToken": tokens.room_token(secret, room_id, ttl=ttl),
        "room": room_id,
        "breakout": breakout,
        "pin": room.pin,
        "display": display,
        "simulcast": True,
        "capture": capture_size(),
    }
