"""The location gate, the waiting room, and what facilitators do to people in the room."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.consent.queries import missing_before_first_session
from openiop.lib.phone import display_phone
from openiop.participants.models import Participant
from openiop.programs.models import Program

from .. import janus
from ..errors import ConsentsMissing, NotAdmitted, NotLicensedThere, VideoUnavailable
from ..models import Attendance, Feed, PresenceEvent, Room
from ..queries import covering_states
from ..schedule import SessionInfo
from .common import BREAKOUT_PUBLISHERS, destroy_quietly, record_for_attendance
from .crisis import log_moved
from .feeds import janus_room_id, revoke_feeds


def _not_licensed_message(info: SessionInfo) -> str:
    """The refusal names the program's phone number when the program has one."""
    program = Program.objects.filter(pk=info.program_id).only("phone").first()
    phone = display_phone(program.phone) if program is not None and program.phone else ""
    if not phone:
        return gettext(
            "Your facilitator is not licensed to provide care where you are right now, so "
            "you cannot join this session from there. Please call your care team."
        )
    return gettext(
        "Your facilitator is not licensed to provide care where you are right now, so "
        "you cannot join this session from there. Please call your care team at %(phone)s."
    ) % {"phone": phone}


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
    telehealth is delivered where the patient is; and when the participant has not signed the
    consents required before their first session (the consent app's list).
    """
    missing = missing_before_first_session(participant)
    if missing:
        with transaction.atomic():
            record(
                "telehealth.join_refused",
                acting_user=acting_user,
                participant=participant,
                outcome="denied",
                details={"session": str(info.code), "reason": "consents_missing"},
            )
        raise ConsentsMissing(
            gettext("Please sign the consent forms your program needs before your first session.")
        )
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
        raise NotLicensedThere(_not_licensed_message(info))
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
            raise NotAdmitted(gettext("The facilitator has removed you from this session."))
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
    record_for_attendance("telehealth.admitted", attendance, acting_user=acting_user)
    return True


def admit_all(info: SessionInfo, *, acting_user: User) -> int:
    waiting = Attendance.objects.filter(
        session_code=info.code, state=Attendance.State.WAITING
    ).select_related("participant")
    return sum(admit(a, acting_user=acting_user) for a in waiting)


@transaction.atomic
def remove_participant(attendance: Attendance, room: Room | None, *, acting_user: User) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.state = Attendance.State.REMOVED
    attendance.removed_at = timezone.now()
    attendance.save(update_fields=["state", "removed_at"])
    PresenceEvent.objects.create(
        attendance=attendance, kind=PresenceEvent.Kind.LEFT, at=attendance.removed_at
    )
    record_for_attendance("telehealth.removed", attendance, acting_user=acting_user)
    if room is not None:
        revoke_feeds(room, attendance.participant)


def move(
    attendance: Attendance,
    room: Room,
    *,
    to_breakout: bool,
    acting_user: User,
    with_user: User | None = None,
) -> None:
    """Move a participant into the private breakout room, or back to the group.

    The participant's page notices within seconds (it polls its status), leaves one Janus room
    and joins the other with a fresh ticket. The breakout room is created on first use.
    `with_user` (one of the session's staff, a crisis check-in) is asked to join them: their
    room page follows them there. A move during an open alert goes on its timeline.
    """
    if to_breakout and not room.breakout_janus_room_id:
        breakout_id = str(uuid.uuid4())
        try:
            with janus.connect_node(room.janus_node) as client:
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
            raise VideoUnavailable(
                gettext("Could not reach the video service; try again.")
            ) from exc
        won = Room.objects.filter(pk=room.pk, breakout_janus_room_id="").update(
            breakout_janus_room_id=breakout_id
        )
        if not won:
            # Another facilitator made one first: use theirs.
            destroy_quietly(room.janus_node, breakout_id, room.secret)
        room.refresh_from_db()
    _set_breakout(
        attendance,
        to_breakout=to_breakout,
        with_user=with_user if to_breakout else None,
        acting_user=acting_user,
    )


@transaction.atomic
def _set_breakout(
    attendance: Attendance, *, to_breakout: bool, with_user: User | None, acting_user: User
) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.state != Attendance.State.ADMITTED:
        return
    if attendance.in_breakout == to_breakout and (
        not to_breakout or with_user is None or attendance.breakout_with_id == with_user.pk
    ):
        return
    attendance.in_breakout = to_breakout
    attendance.breakout_with = with_user
    attendance.save(update_fields=["in_breakout", "breakout_with"])
    record(
        "telehealth.breakout_started" if to_breakout else "telehealth.breakout_ended",
        acting_user=acting_user,
        participant=attendance.participant,
        target=attendance,
        details={
            "session": str(attendance.session_code),
            "user": str(with_user.code) if with_user is not None else None,
        },
    )
    if to_breakout:
        log_moved(attendance, with_user=with_user, acting_user=acting_user)


# The room client publishes audio first, so a participant's microphone is always mid "0".
AUDIO_MID = "0"


@transaction.atomic
def set_muted(attendance: Attendance, room: Room, *, mute: bool, acting_user: User) -> None:
    """Mute (or allow again) a participant's microphone for everyone in the room."""
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.muted_by_facilitator = mute
    attendance.save(update_fields=["muted_by_facilitator"])
    record_for_attendance(
        "telehealth.muted" if mute else "telehealth.unmuted", attendance, acting_user=acting_user
    )
    feed = Feed.objects.filter(
        room=room, breakout=attendance.in_breakout, participant=attendance.participant
    ).first()
    if room.is_open and feed is not None:
        try:
            with janus.connect_node(room.janus_node) as client:
                client.mute(
                    janus_room_id(room, breakout=feed.breakout),
                    room.secret,
                    feed.feed_id,
                    mid=AUDIO_MID,
                    mute=mute,
                )
        except janus.JanusError as exc:
            raise VideoUnavailable(
                gettext("Could not reach the video service; try again.")
            ) from exc
