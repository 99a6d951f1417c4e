"""Every telehealth write: atomic, with its audit event in the same transaction.

Janus is called from here too (room create/destroy/kick). A Janus call cannot be rolled back,
so each action orders it to leave nothing behind when the database write fails: a room created
for a lost race is destroyed again.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant
from openiop.safety.actions import raise_alert
from openiop.safety.models import AlertTrigger, SafetyAlert
from openiop.scheduling import actions as scheduling_actions
from openiop.scheduling.errors import AttendanceError
from openiop.scheduling.models import Booking

from . import attendance as presence
from . import janus, tokens
from .models import Attendance, PresenceEvent, Room
from .schedule import SessionInfo, facilitators

# A crisis check-in or a late facilitator must not lock anyone out: the room stays joinable
# for a while after the scheduled end, and minutes are still counted only inside the window.
CLOSE_GRACE = timedelta(minutes=30)


class TelehealthError(Exception):
    """A request that cannot be honoured; the message is safe to show to the user."""


class NotOpenYet(TelehealthError):
    pass


class SessionOver(TelehealthError):
    pass


class NotLicensedThere(TelehealthError):
    pass


class NotAdmitted(TelehealthError):
    pass


class VideoUnavailable(TelehealthError):
    pass


def join_window(info: SessionInfo) -> tuple[datetime, datetime]:
    opens = info.starts_at - timedelta(minutes=settings.TELEHEALTH_OPENS_MINUTES_BEFORE)
    return opens, info.ends_at + CLOSE_GRACE


def check_window(info: SessionInfo, now: datetime | None = None) -> None:
    now = now or timezone.now()
    opens, closes = join_window(info)
    if info.cancelled:
        raise SessionOver("This session was cancelled.")
    if now < opens:
        raise NotOpenYet("This session is not open yet.")
    if now > closes:
        raise SessionOver("This session has ended.")


def display_name(user: User, participant: Participant | None = None) -> str:
    """First name and last initial: what others in the room see. Never the full name."""
    if participant is not None:
        return participant.short_name
    initial = user.family_name[:1]
    return f"{user.given_name} {initial}." if initial else user.given_name


def covering_states(info: SessionInfo) -> set[str]:
    """States where at least one assigned facilitator is licensed."""
    states: set[str] = set()
    for person in facilitators(info):
        states |= person.licensed_states()
    return states


# Rooms ----------------------------------------------------------------------------------------


def get_or_open_room(info: SessionInfo, *, acting_user: User) -> Room:
    """The session's room, created on Janus the first time anyone needs it."""
    room = Room.objects.filter(session_code=info.code, status=Room.Status.OPEN).first()
    if room is not None:
        return room
    if Room.objects.filter(session_code=info.code).exists():
        raise SessionOver("This session has ended.")
    if not settings.TELEHEALTH_ENABLED:
        raise VideoUnavailable("Video is not set up on this server.")
    try:
        with janus.connect_node() as client:
            created = client.create_room(publishers=info.publishers)
    except janus.JanusError as exc:
        raise VideoUnavailable("Video is not available right now. Please try again.") from exc
    try:
        with transaction.atomic():
            room = Room.objects.create(
                session_code=info.code,
                janus_node=janus.node_url(),
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
        with janus.connect_node() as client:
            client.destroy_room(created.room_id, created.secret)
        return Room.objects.get(session_code=info.code)
    return room


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


def ensure_room_on_node(room: Room, *, acting_user: User) -> None:
    """After a Janus restart the room is gone from Janus: put it back with the same identity."""
    try:
        with janus.connect_node() as client:
            recreated = client.ensure_room(as_janus_room(room))
            if room.breakout_janus_room_id:
                client.ensure_room(as_janus_room(room, breakout=True))
    except janus.JanusError as exc:
        raise VideoUnavailable("Video is not available right now. Retrying…") from exc
    if recreated:
        with transaction.atomic():
            record("telehealth.room_recreated", acting_user=acting_user, target=room)


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
        with janus.connect_node() as client:
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
    from .schedule import get_session

    now = now or timezone.now()
    closed = 0
    for room in Room.objects.filter(status=Room.Status.OPEN):
        info = get_session(room.session_code)
        if info is None or info.ends_at + CLOSE_GRACE < now:
            close_room(room, info, acting_user=None)
            closed += 1
    return closed


# Tickets --------------------------------------------------------------------------------------


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


def capture_size() -> dict[str, int]:
    width, _, height = settings.TELEHEALTH_CAPTURE.partition("x")
    return {"width": int(width), "height": int(height)}


def _record_for_attendance(event_type: str, attendance: Attendance, *, acting_user: User) -> None:
    """Audit one change to a participant's place in a session's room."""
    record(
        event_type,
        acting_user=acting_user,
        participant=attendance.participant,
        target=attendance,
        details={"session": str(attendance.session_code)},
    )


# Location gate and waiting room ---------------------------------------------------------------


def last_location(participant: Participant) -> Attendance | None:
    """For "same as last time"."""
    return (
        Attendance.objects.filter(participant=participant)
        .order_by("-location_confirmed_at")
        .first()
    )


def confirm_location(
    info: SessionInfo,
    participant: Participant,
    *,
    location: str,
    location_state: str,
    callback_phone: str,
    private_place: bool,
    acting_user: User,
) -> Attendance:
    """Store where the participant is now and put them in the waiting room.

    Refused (and audited as denied) when no assigned facilitator is licensed in that state:
    telehealth is delivered where the patient is.
    """
    if location_state not in covering_states(info):
        # Its own transaction: the refusal stays in the trail although the request fails.
        with transaction.atomic():
            record(
                "telehealth.location_refused",
                acting_user=acting_user,
                participant=participant,
                outcome="denied",
                details={"session": str(info.code), "reason": "not_licensed_in_state"},
            )
        raise NotLicensedThere(
            "Your facilitator is not licensed to provide care where you are right now, so "
            "you cannot join this session from there. Please call your care team."
        )
    with transaction.atomic():
        now = timezone.now()
        attendance = (
            Attendance.objects.select_for_update()
            .filter(session_code=info.code, participant=participant)
            .first()
        )
        if attendance is None:
            attendance = Attendance(
                session_code=info.code, participant=participant, waiting_since=now
            )
        elif attendance.state == Attendance.State.REMOVED:
            raise NotAdmitted("The facilitator has removed you from this session.")
        attendance.location = location
        attendance.location_state = location_state
        attendance.callback_phone = callback_phone
        attendance.private_place = private_place
        attendance.location_confirmed_at = now
        attendance.save()
        record(
            "telehealth.location_confirmed",
            acting_user=acting_user,
            participant=participant,
            target=attendance,
            details={"session": str(info.code)},
        )
        return attendance


@transaction.atomic
def admit(attendance: Attendance, *, acting_user: User) -> bool:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.state != Attendance.State.WAITING:
        return False
    attendance.state = Attendance.State.ADMITTED
    attendance.admitted_at = timezone.now()
    attendance.admitted_by = acting_user
    attendance.save(update_fields=["state", "admitted_at", "admitted_by"])
    _record_for_attendance("telehealth.admitted", attendance, acting_user=acting_user)
    return True


def admit_all(info: SessionInfo, *, acting_user: User) -> int:
    waiting = Attendance.objects.filter(
        session_code=info.code, state=Attendance.State.WAITING
    ).select_related("participant")
    return sum(admit(a, acting_user=acting_user) for a in waiting)


@transaction.atomic
def remove_participant(attendance: Attendance, room: Room | None, *, acting_user: User) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    previous_id = attendance.janus_participant_id
    attendance.state = Attendance.State.REMOVED
    attendance.removed_at = timezone.now()
    attendance.save(update_fields=["state", "removed_at"])
    PresenceEvent.objects.create(
        attendance=attendance, kind=PresenceEvent.Kind.LEFT, at=attendance.removed_at
    )
    _record_for_attendance("telehealth.removed", attendance, acting_user=acting_user)
    if room is not None and room.is_open and previous_id:
        _kick(room, previous_id)


def move(attendance: Attendance, room: Room, *, to_breakout: bool, acting_user: User) -> None:
    """Move a participant into the private breakout room, or back to the group.

    The participant's page notices within seconds (it polls its status), leaves one Janus room
    and joins the other with a fresh ticket. The breakout room is created on first use.
    """
    if to_breakout and not room.breakout_janus_room_id:
        breakout_id = str(uuid.uuid4())
        try:
            with janus.connect_node() as client:
                client.ensure_room(
                    janus.Room(
                        room_id=breakout_id,
                        secret=room.secret,
                        pin=room.pin,
                        publishers=BREAKOUT_PUBLISHERS,
                        bitrate=room.bitrate,
                    )
                )
        except janus.JanusError as exc:
            raise VideoUnavailable("Could not reach the video service; try again.") from exc
        won = Room.objects.filter(pk=room.pk, breakout_janus_room_id="").update(
            breakout_janus_room_id=breakout_id
        )
        if not won:
            # Another facilitator made one first: use theirs.
            _destroy_quietly(breakout_id, room.secret)
        room.refresh_from_db()
    _set_breakout(attendance, to_breakout=to_breakout, acting_user=acting_user)


@transaction.atomic
def _set_breakout(attendance: Attendance, *, to_breakout: bool, acting_user: User) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.state != Attendance.State.ADMITTED or attendance.in_breakout == to_breakout:
        return
    attendance.in_breakout = to_breakout
    attendance.save(update_fields=["in_breakout"])
    _record_for_attendance(
        "telehealth.breakout_started" if to_breakout else "telehealth.breakout_ended",
        attendance,
        acting_user=acting_user,
    )


# The room client publishes audio first, so a participant's microphone is always mid "0".
AUDIO_MID = "0"


@transaction.atomic
def set_muted(attendance: Attendance, room: Room, *, mute: bool, acting_user: User) -> None:
    """Mute (or allow again) a participant's microphone for everyone in the room."""
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.muted_by_facilitator = mute
    attendance.save(update_fields=["muted_by_facilitator"])
    _record_for_attendance(
        "telehealth.muted" if mute else "telehealth.unmuted", attendance, acting_user=acting_user
    )
    if room.is_open and attendance.janus_participant_id:
        try:
            with janus.connect_node() as client:
                client.mute(
                    room.breakout_janus_room_id if attendance.in_breakout else room.janus_room_id,
                    room.secret,
                    attendance.janus_participant_id,
                    mid=AUDIO_MID,
                    mute=mute,
                )
        except janus.JanusError as exc:
            raise VideoUnavailable("Could not reach the video service; try again.") from exc


def _destroy_quietly(janus_room_id: str, secret: str) -> None:
    with contextlib.suppress(janus.JanusError), janus.connect_node() as client:
        client.destroy_room(janus_room_id, secret)


def _kick(room: Room, janus_participant_id: str) -> None:
    """Out of whichever of the session's rooms they are in (group or breakout)."""
    for janus_room_id in filter(None, [room.janus_room_id, room.breakout_janus_room_id]):
        # JanusError: not in that room, or already gone; their next ticket is refused anyway.
        with contextlib.suppress(janus.JanusError), janus.connect_node() as client:
            client.kick(janus_room_id, room.secret, janus_participant_id)


# Help -----------------------------------------------------------------------------------------


@transaction.atomic
def request_help(attendance: Attendance, *, acting_user: User) -> None:
    """The participant's "I need help" button.

    Two signals in one transaction: a private alert in the facilitators' room panel (they are
    with the person right now), and a safety alert for the care team and the on-call clinician,
    which stays open until a clinician acknowledges it with a documented action.
    """
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.help_requested_at = timezone.now()
    attendance.help_acknowledged_at = None
    attendance.help_acknowledged_by = None
    attendance.save(
        update_fields=["help_requested_at", "help_acknowledged_at", "help_acknowledged_by"]
    )
    _record_for_attendance("telehealth.help_requested", attendance, acting_user=acting_user)
    raise_alert(
        attendance.participant,
        kind=SafetyAlert.Kind.HELP_REQUESTED,
        signal=AlertTrigger.Signal.HELP_REQUESTED,
        acting_user=acting_user,
        concern='Pressed "I need help" during a video session.',
    )


@transaction.atomic
def acknowledge_help(attendance: Attendance, *, acting_user: User) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if not attendance.needs_help:
        return
    attendance.help_acknowledged_at = timezone.now()
    attendance.help_acknowledged_by = acting_user
    attendance.save(update_fields=["help_acknowledged_at", "help_acknowledged_by"])
    _record_for_attendance("telehealth.help_acknowledged", attendance, acting_user=acting_user)


# Presence and attendance ----------------------------------------------------------------------


@transaction.atomic
def record_presence(
    attendance: Attendance,
    kind: str,
    *,
    acting_user: User,
    room: Room | None = None,
    janus_participant_id: str = "",
) -> None:
    """Store one presence event reported by the participant's browser.

    Heartbeats (every 30 s) are stored without an audit row each: they only extend a presence
    that a ``joined`` event already put in the trail.
    """
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.state != Attendance.State.ADMITTED:
        raise NotAdmitted("You have not been admitted to this session.")
    PresenceEvent.objects.create(attendance=attendance, kind=kind, at=timezone.now())
    if kind == PresenceEvent.Kind.JOINED and janus_participant_id:
        stale = attendance.janus_participant_id
        attendance.janus_participant_id = janus_participant_id[:64]
        attendance.save(update_fields=["janus_participant_id"])
        if stale and stale != janus_participant_id and room is not None:
            # A second tab (or a stale one from before a reconnect): the newest one stays.
            _kick(room, stale)
    if kind != PresenceEvent.Kind.HEARTBEAT:
        _record_for_attendance(f"telehealth.presence_{kind}", attendance, acting_user=acting_user)


def summarize(attendance: Attendance, info: SessionInfo, now: datetime | None = None) -> Any:
    events = [
        presence.PresenceEvent(presence.EventKind(e.kind), e.at)
        for e in sorted(attendance.events.all(), key=lambda e: e.at)
    ]
    return presence.summarize(events, starts_at=info.starts_at, ends_at=info.ends_at, now=now)


def _booking_status(minutes: int, *, late: bool, left_early: bool) -> str:
    if minutes == 0:
        return Booking.Attendance.ABSENT
    if late:
        return Booking.Attendance.LATE
    if left_early:
        return Booking.Attendance.LEFT_EARLY
    return Booking.Attendance.PRESENT


def _feed_ledger(
    booking: Booking, minutes: int, *, late: bool, left_early: bool, acting_user: User | None
) -> None:
    """Write the minutes into the scheduling engine's booking (the hours ledger reads it)."""
    status = _booking_status(minutes, late=late, left_early=left_early)
    session_minutes = booking.session.minutes
    # AttendanceError: ended before it started, or cancelled: nothing to count.
    with contextlib.suppress(AttendanceError):
        scheduling_actions.record_attendance(
            booking,
            attendance=status,
            minutes=min(minutes, session_minutes) if status != "absent" else None,
            # None when the system closes the room; the booking then has no recorder.
            acting_user=acting_user,  # type: ignore[arg-type]
        )


@transaction.atomic
def finalize_attendance(info: SessionInfo, *, acting_user: User | None) -> None:
    """Compute minutes for everyone who came, and feed the hours ledger.

    A booking already marked by staff is left alone; a booked participant who never came to
    the room is marked absent.
    """
    now = timezone.now()
    for attendance in Attendance.objects.select_for_update().filter(session_code=info.code):
        summary = summarize(attendance, info, now=max(now, info.ends_at))
        attendance.minutes_attended = summary.minutes
        attendance.late = summary.late
        attendance.left_early = summary.left_early
        attendance.save(update_fields=["minutes_attended", "late", "left_early"])
    bookings = Booking.objects.filter(
        session__code=info.code, status=Booking.Status.BOOKED, attendance=""
    ).select_related("session", "participant")
    by_participant = {
        a.participant_id: a for a in Attendance.objects.filter(session_code=info.code)
    }
    for booking in bookings:
        item = by_participant.get(booking.participant_id)
        if item is None:
            _feed_ledger(booking, 0, late=False, left_early=False, acting_user=acting_user)
        else:
            _feed_ledger(
                booking,
                item.minutes_attended or 0,
                late=item.late,
                left_early=item.left_early,
                acting_user=acting_user,
            )
    record(
        "telehealth.attendance_computed",
        acting_user=acting_user,
        details={"session": str(info.code)},
    )


@transaction.atomic
def correct_attendance(
    attendance: Attendance, *, minutes: int, reason: str, acting_user: User
) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    previous = attendance.final_minutes
    attendance.corrected_minutes = minutes
    attendance.correction_reason = reason
    attendance.corrected_by = acting_user
    attendance.corrected_at = timezone.now()
    attendance.save(
        update_fields=["corrected_minutes", "correction_reason", "corrected_by", "corrected_at"]
    )
    booking = (
        Booking.objects.filter(
            session__code=attendance.session_code, participant=attendance.participant
        )
        .select_related("session", "participant")
        .first()
    )
    if booking is not None:
        _feed_ledger(
            booking,
            minutes,
            late=attendance.late,
            left_early=attendance.left_early,
            acting_user=acting_user,
        )
    record(
        "telehealth.attendance_corrected",
        acting_user=acting_user,
        participant=attendance.participant,
        target=attendance,
        details={"session": str(attendance.session_code), "from": previous, "to": minutes},
    )
