"""Guests in a session: an interpreter, a family member or a support person, invited by the
session's clinician with a one-time link (models.GuestInvite).

1. ``create_invite``: only for an individual, family or psychiatry session (a group's members
   have not agreed to an outsider hearing them); at most ``MAX_GUESTS`` live invitations per
   session. Returns the link's token once; only its hash is stored.
2. ``send_invite_link``: optional, by email and/or text; the message says only that there is a
   video session and gives the link. The address or number is used once and never stored.
3. ``accept_invite``: the guest agrees to the short consent on the link's page; this uses the
   link up (one browser only) and puts the guest in the waiting room.
4. ``admit_guest``: a facilitator lets the guest in, like a participant.
5. ``issue_guest_ticket``: a server-assigned publisher id named "Maria (interpreter)" for
   everyone in the room (queries.feed_names), in the main room only.
6. ``revoke_invite``: the link stops working at once; a guest in the room is removed.

Every step is audited with the invitation's code and role only, never the guest's name.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import smtplib
import uuid
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.notifications.sms import SmsError, send_sms

from .. import janus, tokens
from ..errors import GuestRefused, NotAdmitted, SessionOver
from ..models import Feed, GuestInvite, PresenceEvent, Room
from ..nodes import node_public_url
from ..queries import (
    assigned_feeds,
    capture_size,
    check_window,
    feed_names,
    ice_servers,
    join_window,
)
from ..schedule import SessionInfo
from ..tokens import hash_token
from .feeds import HEARTBEAT_CHECK_INTERVAL, PAGE_CHECK_INTERVAL, check_feeds, janus_room_id

logger = logging.getLogger(__name__)

# Session kinds a guest may join: one participant (or one family) with their clinician.
GUEST_SESSION_KINDS = frozenset({"individual", "family", "psychiatry"})
# Live (not revoked, not expired) invitations per session; also the room's extra publishers.
MAX_GUESTS = 3

INVITE_TEXT = "You have been invited to join a video session. Link: {link}"
INVITE_SUBJECT = "You have been invited to join a video session"
INVITE_EMAIL = (
    "You have been invited to join a video session.\n\n"
    "Link: {link}\n\n"
    "The link works once, in one browser, until the session ends.\n"
)


def _details(invite: GuestInvite, **extra: Any) -> dict[str, Any]:
    return {
        "session": str(invite.session_code),
        "invite": str(invite.code),
        "role": invite.role,
        **extra,
    }


def live_invites(info: SessionInfo, now: datetime) -> list[GuestInvite]:
    return list(
        GuestInvite.objects.filter(
            session_code=info.code, revoked_at__isnull=True, expires_at__gt=now
        )
    )


def check_guests_allowed(info: SessionInfo) -> None:
    if info.kind not in GUEST_SESSION_KINDS:
        raise GuestRefused(
            "Guests can join individual and family sessions only. A group's members have not "
            "agreed to share their session with someone from outside it."
        )


@transaction.atomic
def create_invite(
    info: SessionInfo, *, role: str, display_name: str, acting_user: User
) -> tuple[GuestInvite, str]:
    """A new invitation and its link's token (shown or sent once, never stored)."""
    check_guests_allowed(info)
    now = timezone.now()
    _, closes = join_window(info)
    if info.cancelled or now >= closes:
        raise GuestRefused("This session is over or cancelled: nobody can be invited to it.")
    # Serialise invitations of one session, so two clicks cannot pass the limit together.
    list(GuestInvite.objects.select_for_update().filter(session_code=info.code).values("pk"))
    if len(live_invites(info, now)) >= MAX_GUESTS:
        raise GuestRefused(
            f"A session can have at most {MAX_GUESTS} guests. Withdraw an invitation first."
        )
    token = secrets.token_urlsafe(32)
    invite = GuestInvite.objects.create(
        session_code=info.code,
        role=role,
        display_name=display_name,
        created_by=acting_user,
        created_at=now,
        expires_at=closes,
        token_hash=hash_token(token),
    )
    record(
        "telehealth.guest_invited",
        acting_user=acting_user,
        target=invite,
        details=_details(invite),
    )
    return invite, token


def send_invite_link(
    invite: GuestInvite, link: str, *, email: str = "", phone: str = "", acting_user: User
) -> dict[str, bool]:
    """Send the link by email and/or text; returns channel -> sent. Never raises on a
    provider error: the clinician can still copy the link shown on the page."""
    results: dict[str, bool] = {}
    key = str(invite.code)
    if email:
        try:
            EmailMessage(
                INVITE_SUBJECT,
                INVITE_EMAIL.format(link=link),
                settings.DEFAULT_FROM_EMAIL,
                [email],
                headers={"X-OpenIOP-Idempotency-Key": f"{key}:email"},
            ).send()
            results["email"] = True
        except (smtplib.SMTPException, OSError):
            logger.warning("guest invitation email failed", extra={"invite": key})
            results["email"] = False
    if phone:
        try:
            send_sms(phone, INVITE_TEXT.format(link=link), idempotency_key=f"{key}:sms")
            results["sms"] = True
        except SmsError:
            logger.warning("guest invitation text failed", extra={"invite": key})
            results["sms"] = False
    for channel, sent in results.items():
        with transaction.atomic():
            record(
                "telehealth.guest_link_sent",
                acting_user=acting_user,
                target=invite,
                outcome="success" if sent else "failure",
                details=_details(invite, channel=channel),
            )
    return results


def accept_invite(token: str) -> GuestInvite:
    """The guest agreed to the consent on the link's page: use the link up, start waiting.

    Raises GuestRefused with a message for the guest (unknown, used, withdrawn, expired).
    A refusal is audited too (as denied) when the invitation exists.
    """
    with transaction.atomic():
        invite = (
            GuestInvite.objects.select_for_update().filter(token_hash=hash_token(token)).first()
        )
        if invite is None:
            raise GuestRefused(gettext("This link is not valid. Ask the clinician for a new one."))
        problem = link_problem(invite, timezone.now())
        if not problem:
            now = timezone.now()
            invite.used_at = now
            invite.consented_at = now
            invite.save(update_fields=["used_at", "consented_at"])
            record(
                "telehealth.guest_consented",
                acting_user=None,
                target=invite,
                details=_details(invite),
            )
            return invite
    with transaction.atomic():
        record(
            "telehealth.guest_link_refused",
            acting_user=None,
            target=invite,
            outcome="denied",
            details=_details(invite, reason=invite.status(timezone.now())),
        )
    raise GuestRefused(problem)


def link_problem(invite: GuestInvite, now: datetime) -> str:
    """Why the link cannot be used now (a message for the guest), or ""."""
    if invite.revoked_at is not None:
        return gettext(
            "This invitation has been withdrawn. Ask the clinician if you think this is wrong."
        )
    if invite.is_expired(now):
        return gettext("This invitation has expired: the session it was for is over.")
    if invite.used_at is not None:
        return gettext(
            "This link has already been used. Each link works once, in one browser. "
            "Ask the clinician for a new link."
        )
    return ""


def guest_problem(invite: GuestInvite, now: datetime) -> str:
    """Why a guest who already consented may not be in the session now, or ""."""
    if invite.revoked_at is not None:
        return gettext("The clinician has withdrawn your invitation.")
    if invite.is_expired(now):
        return gettext("This session has ended.")
    return ""


@transaction.atomic
def admit_guest(invite: GuestInvite, *, acting_user: User) -> bool:
    invite = GuestInvite.objects.select_for_update().get(pk=invite.pk)
    if (
        invite.consented_at is None
        or invite.admitted_at is not None
        or guest_problem(invite, timezone.now())
    ):
        return False
    invite.admitted_at = timezone.now()
    invite.admitted_by = acting_user
    invite.save(update_fields=["admitted_at", "admitted_by"])
    record(
        "telehealth.guest_admitted",
        acting_user=acting_user,
        target=invite,
        details=_details(invite),
    )
    return True


@transaction.atomic
def revoke_invite(invite: GuestInvite, room: Room | None, *, acting_user: User) -> bool:
    """Withdraw the invitation: the link and the guest's browser stop working at once."""
    invite = GuestInvite.objects.select_for_update().get(pk=invite.pk)
    if invite.revoked_at is not None:
        return False
    invite.revoked_at = timezone.now()
    invite.revoked_by = acting_user
    invite.save(update_fields=["revoked_at", "revoked_by"])
    record(
        "telehealth.guest_revoked",
        acting_user=acting_user,
        target=invite,
        details=_details(invite),
    )
    feeds = list(Feed.objects.filter(guest=invite))
    Feed.objects.filter(pk__in=[f.pk for f in feeds]).delete()
    if room is not None and room.is_open:
        for feed in feeds:
            # JanusError: already gone; the id no longer counts anyway.
            with (
                contextlib.suppress(janus.JanusError),
                janus.connect_node(room.janus_node) as client,
            ):
                client.kick(janus_room_id(room, breakout=feed.breakout), room.secret, feed.feed_id)
    return True


@transaction.atomic
def issue_guest_ticket(
    info: SessionInfo, invite: GuestInvite, *, request_token: str
) -> dict[str, Any]:
    """What an admitted guest's browser needs to join the main room (never the breakout).

    Raises NotAdmitted (not let in yet, or the room is not open) or SessionOver.
    """
    check_window(info)
    invite = GuestInvite.objects.select_for_update().get(pk=invite.pk)
    problem = guest_problem(invite, timezone.now())
    if problem:
        raise SessionOver(problem)
    if invite.admitted_at is None:
        raise NotAdmitted(gettext("The clinician has not let you in yet."))
    room = Room.objects.filter(session_code=info.code, status=Room.Status.OPEN).first()
    if room is None:
        raise NotAdmitted(gettext("The clinician has not opened the room yet."))
    feed, _ = Feed.objects.update_or_create(
        room=room,
        breakout=False,
        guest=invite,
        defaults={"user": None, "feed_id": str(uuid.uuid4()), "issued_at": timezone.now()},
    )
    ttl = settings.TELEHEALTH_TICKET_TTL
    secret = settings.JANUS_TOKEN_SECRET
    record(
        "telehealth.guest_ticket_issued",
        acting_user=None,
        target=invite,
        details=_details(invite, ttl=ttl),
    )
    return {
        "server": node_public_url(room.janus_node),
        "iceServers": ice_servers(),
        "coreToken": tokens.core_token(secret, ttl=ttl),
        "roomToken": tokens.room_token(secret, room.janus_room_id, ttl=ttl),
        "room": room.janus_room_id,
        "breakout": False,
        "pin": room.pin,
        "feedId": feed.feed_id,
        "feeds": feed_names(assigned_feeds(room, info), breakout=False),
        "display": invite.label,
        "simulcast": True,
        "capture": capture_size(),
        "csrfToken": request_token,
        "audioOnly": False,
    }


def record_guest_presence(
    invite: GuestInvite, kind: str, *, info: SessionInfo, room: Room | None
) -> None:
    """A guest's browser joined, is still there, lost the connection or left.

    Heartbeats are not audited; joins and heartbeats have the room checked for publishers the
    server did not assign, like participants' (actions.record_presence).
    """
    problem = guest_problem(invite, timezone.now())
    if problem or invite.admitted_at is None:
        raise NotAdmitted(problem or gettext("You have not been let in to this session."))
    if kind != PresenceEvent.Kind.HEARTBEAT:
        with transaction.atomic():
            record(
                f"telehealth.guest_{kind}",
                acting_user=None,
                target=invite,
                details=_details(invite),
            )
    if room is not None and kind in (PresenceEvent.Kind.JOINED, PresenceEvent.Kind.HEARTBEAT):
        check_feeds(
            room,
            info,
            acting_user=None,
            min_interval=PAGE_CHECK_INTERVAL
            if kind == PresenceEvent.Kind.JOINED
            else HEARTBEAT_CHECK_INTERVAL,
        )
