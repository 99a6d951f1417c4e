"""Telehealth reads: the join window, names shown in the room, ICE servers, minutes so far.

Nothing here writes; the writes are in ``actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from openiop.accounts.models import User
from openiop.participants.models import Participant
from openiop.programs import licensure
from openiop.safety.hooks import ReportedLocation

from . import attendance as presence
from . import tokens
from .errors import NotOpenYet, SessionOver
from .models import Attendance, Feed, GuestInvite, Room
from .schedule import SessionInfo

# A crisis check-in or a late facilitator must not lock anyone out: the room stays joinable
# for a while after the scheduled end, and minutes are still counted only inside the window.
CLOSE_GRACE = timedelta(minutes=30)


def join_window(info: SessionInfo) -> tuple[datetime, datetime]:
    opens = info.starts_at - timedelta(minutes=settings.TELEHEALTH_OPENS_MINUTES_BEFORE)
    return opens, info.ends_at + CLOSE_GRACE


def check_window(info: SessionInfo, now: datetime | None = None) -> None:
    now = now or timezone.now()
    opens, closes = join_window(info)
    if info.cancelled:
        raise SessionOver(gettext("This session was cancelled."))
    if now < opens:
        raise NotOpenYet(gettext("This session is not open yet."))
    if now > closes:
        raise SessionOver(gettext("This session has ended."))


def display_name(user: User, participant: Participant | None = None) -> str:
    """First name and last initial: what others in the room see. Never the full name."""
    if participant is not None:
        return participant.short_name
    initial = user.family_name[:1]
    return f"{user.given_name} {initial}." if initial else user.given_name


def assigned_feeds(room: Room, info: SessionInfo) -> list[Feed]:
    """The publisher ids that count in the session's rooms: one per person and room.

    Only for people still in the session: its assigned staff, the participants it still
    books (someone removed by a facilitator has no feed left, actions.remove_participant), and
    guests a facilitator admitted whose invitation is neither withdrawn nor expired.
    """
    now = timezone.now()
    feeds = Feed.objects.filter(room=room).select_related("user", "participant", "guest")
    return [
        feed
        for feed in feeds
        if (feed.guest is not None and _guest_counts(feed.guest, info, now))
        or (
            feed.guest is None
            and feed.participant_id is None
            and feed.user_id in info.facilitator_ids
        )
        or (feed.participant_id is not None and feed.participant_id in info.participant_ids)
    ]


def _guest_counts(guest: GuestInvite, info: SessionInfo, now: datetime) -> bool:
    return (
        guest.session_code == info.code
        and guest.admitted_at is not None
        and guest.revoked_at is None
        and not guest.is_expired(now)
    )


def feed_name(feed: Feed) -> str:
    if feed.guest is not None:
        return feed.guest.label
    assert feed.user is not None
    return display_name(feed.user, feed.participant)


def feed_names(feeds: list[Feed], *, breakout: bool | None = None) -> dict[str, str]:
    """Feed id -> the name a video tile shows, from OpenIOP's records (``breakout``: one room)."""
    return {
        feed.feed_id: feed_name(feed)
        for feed in feeds
        if breakout is None or feed.breakout == breakout
    }


def session_guests(info: SessionInfo) -> list[GuestInvite]:
    """Guests who consented and may still come in (not withdrawn, not expired), by arrival."""
    return list(
        GuestInvite.objects.filter(
            session_code=info.code,
            consented_at__isnull=False,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).order_by("consented_at")
    )


def covering_states(info: SessionInfo) -> set[str]:
    """States where at least one assigned facilitator is licensed today (programs.licensure)."""
    return licensure.covering_states(info.facilitator_ids, timezone.localdate())


def ice_servers() -> list[dict[str, Any]]:
    """STUN/TURN for browsers; an empty list (host candidates only) when none is configured."""
    servers: list[dict[str, Any]] = []
    if settings.TELEHEALTH_STUN_URLS:
        servers.append({"urls": settings.TELEHEALTH_STUN_URLS})
    if settings.TELEHEALTH_TURN_URLS and settings.TELEHEALTH_TURN_SECRET:
        username, credential = tokens.turn_credentials(
            settings.TELEHEALTH_TURN_SECRET, ttl=settings.TELEHEALTH_TICKET_TTL
        )
        servers.append(
            {"urls": settings.TELEHEALTH_TURN_URLS, "username": username, "credential": credential}
        )
    return servers


def capture_size() -> dict[str, int]:
    width, _, height = settings.TELEHEALTH_CAPTURE.partition("x")
    return {"width": int(width), "height": int(height)}


def last_location(participant: Participant) -> Attendance | None:
    """For "same as last time"."""
    return (
        Attendance.objects.filter(participant=participant)
        .order_by("-location_confirmed_at")
        .first()
    )


def video_attendance(session_code: Any, participant: Participant) -> Attendance | None:
    """The participant's video attendance at one session (location, admission, minutes), if
    they joined it; for the session's progress note."""
    return Attendance.objects.filter(session_code=session_code, participant=participant).first()


def video_attendance_by_participant(session_code: Any) -> dict[int, Attendance]:
    """Each participant's video attendance of one session (minutes, late, left early, where
    they said they were), by participant id: what a group note is pre-filled with."""
    return {a.participant_id: a for a in Attendance.objects.filter(session_code=session_code)}


def summarize(
    attendance: Attendance, info: SessionInfo, now: datetime | None = None
) -> presence.Summary:
    events = [
        presence.PresenceEvent(presence.EventKind(e.kind), e.at)
        for e in sorted(attendance.events.all(), key=lambda e: e.at)
    ]
    return presence.summarize(events, starts_at=info.starts_at, ends_at=info.ends_at, now=now)


def reported_location(participant: Participant) -> ReportedLocation | None:
    """Where the participant said they were at their latest session check-in (the location
    gate), for the safety alert page (registered in openiop.safety.hooks). Two queries."""
    attendance = (
        Attendance.objects.filter(participant=participant)
        .order_by("-location_confirmed_at", "-id")
        .first()
    )
    if attendance is None:
        return None
    current = attendance.state != Attendance.State.REMOVED and (
        Room.objects.filter(session_code=attendance.session_code, status=Room.Status.OPEN).exists()
    )
    return ReportedLocation(
        text=attendance.location,
        state=attendance.location_state,
        state_name=attendance.get_location_state_display(),
        confirmed_at=attendance.location_confirmed_at,
        callback_phone=attendance.callback_phone,
        private_place=attendance.private_place,
        current=current,
    )


@dataclass(frozen=True)
class NodeLoad:
    rooms: int
    participants: int


def node_loads() -> dict[str, NodeLoad]:
    """Open rooms and admitted participants in them, by Janus node (what placement weighs)."""
    open_rooms = Room.objects.filter(status=Room.Status.OPEN)
    rooms = dict(open_rooms.values_list("janus_node").annotate(n=Count("id")))
    node_of = dict(open_rooms.values_list("session_code", "janus_node"))
    people: dict[str, int] = {}
    admitted = (
        Attendance.objects.filter(state=Attendance.State.ADMITTED, session_code__in=node_of)
        .values_list("session_code")
        .annotate(n=Count("id"))
    )
    for session_code, n in admitted:
        node = node_of[session_code]
        people[node] = people.get(node, 0) + n
    return {
        node: NodeLoad(rooms=rooms.get(node, 0), participants=people.get(node, 0))
        for node in set(rooms) | set(people)
    }


@dataclass(frozen=True)
class NodeStatus:
    name: str
    public_url: str
    # healthy / draining / down / refusing / not checked
    state: str
    detail: str
    checked_at: datetime | None
    rooms: int
    participants: int
    cpu_percent: float | None


def node_statuses() -> list[NodeStatus]:
    """Each configured Janus node as the health page shows it."""
    from .models import JanusNode
    from .nodes import configured_nodes

    rows = {r.name: r for r in JanusNode.objects.all()}
    loads = node_loads()
    result = []
    for config in configured_nodes():
        row = rows.get(config.name)
        load = loads.get(config.name, NodeLoad(rooms=0, participants=0))
        if row is None or row.checked_at is None:
            state = "not checked"
        elif row.state != JanusNode.State.UP:
            state = row.state
        else:
            state = "draining" if row.draining else "healthy"
        if row is not None and row.draining and state in ("down", "refusing"):
            state = f"{state}, draining"
        result.append(
            NodeStatus(
                name=config.name,
                public_url=config.public_url,
                state=state,
                detail=row.detail if row else "",
                checked_at=row.checked_at if row else None,
                rooms=load.rooms,
                participants=load.participants,
                cpu_percent=row.cpu_percent if row else None,
            )
        )
    return result
