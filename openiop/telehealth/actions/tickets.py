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
from ..nodes import node_public_url
from ..queries import assigned_feeds, capture_size, feed_names, ice_servers
from ..schedule import SessionInfo
from .feeds import assign_feed, janus_room_id


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
    """A short-lived core token + room token + pin: all a browser needs to join this room.

    Also the publisher id to join with (fresh for every ticket) and the names of the people
    the room may hold, by id: what the page labels video tiles with.
    """
    ttl = settings.TELEHEALTH_TICKET_TTL
    secret = settings.JANUS_TOKEN_SECRET
    room_id = janus_room_id(room, breakout=breakout)
    feed = assign_feed(room, breakout=breakout, user=acting_user, participant=participant)
    record(
        "telehealth.ticket_issued",
        acting_user=acting_user,
        participant=participant,
        target=room,
        details={"session": str(info.code), "ttl": ttl, "breakout": breakout},
    )
    return {
        "server": node_public_url(room.janus_node),
        "iceServers": ice_servers(),
        "coreToken": tokens.core_token(secret, ttl=ttl),
        "roomToken": tokens.room_token(secret, room_id, ttl=ttl),
        "room": room_id,
        "breakout": breakout,
        "pin": room.pin,
        "feedId": feed.feed_id,
        "feeds": feed_names(assigned_feeds(room, info), breakout=breakout),
        # For the page's own "You (...)" label only: never sent to Janus.
        "display": display,
        "simulcast": True,
        "capture": capture_size(),
    }
