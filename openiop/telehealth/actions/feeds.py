"""Janus publisher ids assigned by the server, and the check that the room holds no others.

A browser could join a Janus room under any display name it likes: Janus takes ``display`` from
the join request. So names never go to Janus at all. Each ticket carries a fresh random
publisher id (``Feed``); the room page joins with it and no display name, and every page names
a tile by looking its id up in OpenIOP's records (``queries.feed_names``), "Unknown participant"
otherwise. ``check_feeds`` asks Janus who is in the session's rooms and removes every publisher
whose id the server did not assign (a modified client, a stale tab after a reconnect). A
publisher with an assigned id is the person it was assigned to, whatever display it sent: no
page shows that display, so it is left alone rather than cutting someone off mid-session.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant

from .. import janus
from ..models import Feed, Room
from ..queries import assigned_feeds
from ..schedule import SessionInfo

# Pages ask for a check whenever they see an id they cannot name; heartbeats ask now and then.
PAGE_CHECK_INTERVAL = timedelta(seconds=2)
HEARTBEAT_CHECK_INTERVAL = timedelta(seconds=20)


def janus_room_id(room: Room, *, breakout: bool) -> str:
    return room.breakout_janus_room_id if breakout else room.janus_room_id


def assign_feed(room: Room, *, breakout: bool, user: User, participant: Participant | None) -> Feed:
    """A fresh publisher id for this person in this room; the previous one stops counting."""
    feed, _ = Feed.objects.update_or_create(
        room=room,
        breakout=breakout,
        user=user,
        defaults={
            "participant": participant,
            "feed_id": str(uuid.uuid4()),
            "issued_at": timezone.now(),
        },
    )
    return feed


def revoke_feeds(room: Room, participant: Participant) -> None:
    """Take a participant out of the session's rooms: their ids stop counting, then a kick."""
    feeds = list(Feed.objects.filter(room=room, participant=participant))
    Feed.objects.filter(pk__in=[f.pk for f in feeds]).delete()
    if not room.is_open:
        return
    for feed in feeds:
        # JanusError: already gone; the id no longer counts anyway.
        with contextlib.suppress(janus.JanusError), janus.connect_node(room.janus_node) as client:
            client.kick(janus_room_id(room, breakout=feed.breakout), room.secret, feed.feed_id)


def check_feeds(
    room: Room,
    info: SessionInfo,
    *,
    acting_user: User | None,
    min_interval: timedelta = PAGE_CHECK_INTERVAL,
) -> int:
    """Remove every publisher in the session's rooms whose id the server did not assign.

    Spaced: a check within ``min_interval`` of the previous one does nothing (pages and
    heartbeats of a whole group ask for it). Returns how many publishers were removed.
    """
    now = timezone.now()
    claimed = (
        Room.objects.filter(pk=room.pk, status=Room.Status.OPEN)
        .filter(Q(feeds_checked_at__isnull=True) | Q(feeds_checked_at__lte=now - min_interval))
        .update(feeds_checked_at=now)
    )
    if not claimed:
        return 0
    feeds = assigned_feeds(room, info)
    removed = 0
    try:
        with janus.connect_node(room.janus_node) as client:
            for breakout in (False, True):
                room_id = janus_room_id(room, breakout=breakout)
                if not room_id:
                    continue
                valid = {f.feed_id for f in feeds if f.breakout == breakout}
                for publisher in client.participants(room_id):
                    feed_id = str(publisher.get("id", ""))
                    if feed_id in valid:
                        continue
                    # JanusError: left meanwhile.
                    with contextlib.suppress(janus.JanusError):
                        client.kick(room_id, room.secret, feed_id)
                        removed += 1
    except janus.JanusError:
        # Janus down: nobody is in its rooms; the next check looks again.
        pass
    if removed:
        with transaction.atomic():
            record(
                "telehealth.unknown_feed_removed",
                acting_user=acting_user,
                target=room,
                outcome="denied",
                details={"session": str(info.code), "removed": removed},
            )
    return removed
