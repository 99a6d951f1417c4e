"""Session reminders and cancellation notices, each delivered exactly once per channel.

Steps for one reminder job (SECURITY.md R9):
1. Re-read the booking and session. Released bookings, cancelled sessions, sessions that moved
   (the job carries the start it was made for) and sessions already started send nothing.
2. Write the claim row (unique per booking, kind, channel and start) and commit it before any
   provider call: a duplicate job finds it.
3. Lock the claim with SKIP LOCKED while it is still `claimed`, call the provider with the
   claim code as idempotency key, mark it `sent`, commit. A second worker skips a locked or
   sent claim; a worker that dies before the commit leaves the claim `claimed`, and the retry
   sends it.

Texts say only that there is a session and when (DESIGN.md rule 5), in the language the
participant reads OpenIOP in (their account's; docs/i18n.md).
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from openiop.accounts import languages
from openiop.audit.actions import record
from openiop.lib.phone import stored_text
from openiop.lib.recurrence import get_zone
from openiop.lib.timefmt import format_datetime
from openiop.notifications.sms import send_sms
from openiop.scheduling.models import Booking, ReminderClaim, ReminderPreference, Session

logger = logging.getLogger(__name__)

OFFSETS = {
    ReminderClaim.Kind.DAY_BEFORE: timedelta(hours=24),
    ReminderClaim.Kind.HOUR_BEFORE: timedelta(hours=1),
}
# A job run this much before its due time was started early (e.g. by hand) and sends nothing.
EARLY_TOLERANCE = timedelta(minutes=5)


def _enqueue(name: str, *, run_after: datetime, args: list) -> None:
    # Imported here: tasks imports this module.
    from openiop.scheduling import tasks

    getattr(tasks, name).using(run_after=run_after).enqueue(*args)


def schedule_reminders(bookings: Iterable[Booking], *, session_for: dict[int, Session]) -> int:
    """Queue the 24 h and 1 h reminders of `bookings` once the caller's transaction commits."""
    now = timezone.now()
    jobs = []
    for booking in bookings:
        session = session_for[booking.session_id]
        for kind, offset in OFFSETS.items():
            due = session.starts_at - offset
            if due > now:
                jobs.append((due, [booking.pk, kind.value, session.starts_at.isoformat()]))

    def enqueue_all() -> None:
        for due, args in jobs:
            _enqueue("send_reminder", run_after=due, args=args)

    if jobs:
        transaction.on_commit(enqueue_all)
    return len(jobs)


def schedule_cancellation_notices(bookings: Iterable[Booking], session: Session) -> int:
    """Queue one cancellation notice per booking, after commit."""
    args = [[booking.pk, session.starts_at.isoformat()] for booking in bookings]

    def enqueue_all() -> None:
        for item in args:
            _enqueue("send_cancellation_notice", run_after=timezone.now(), args=item)

    if args:
        transaction.on_commit(enqueue_all)
    return len(args)


def _when(session: Session, zone: str) -> str:
    return format_datetime(session.starts_at, get_zone(zone), "short")


def reminder_text(session: Session, zone: str) -> str:
    return gettext("Reminder: you have a session on %(when)s. Sign in to join.") % {
        "when": _when(session, zone)
    }


def cancellation_text(session: Session, zone: str) -> str:
    return gettext(
        "Your session on %(when)s is cancelled. Sign in to see your updated schedule."
    ) % {"when": _when(session, zone)}


def _channels(booking: Booking) -> list[str]:
    participant = booking.participant
    try:
        preference = participant.reminder_preference
    except ReminderPreference.DoesNotExist:
        preference = ReminderPreference(participant=participant)
    channels: list[str] = []
    if preference.sms and participant.phone:
        channels.append(ReminderClaim.Channel.SMS)
    if preference.email and participant.email:
        channels.append(ReminderClaim.Channel.EMAIL)
    return channels


def _deliver(claim_pk: int, *, subject: str, body: str) -> bool:
    """Step 3: send one claimed message; False when it was sent or is being sent elsewhere."""
    with transaction.atomic():
        claim = (
            ReminderClaim.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("booking__participant")
            .filter(pk=claim_pk, status=ReminderClaim.Status.CLAIMED)
            .first()
        )
        if claim is None:
            return False
        participant = claim.booking.participant
        key = str(claim.code)
        if claim.channel == ReminderClaim.Channel.SMS:
            message_id = send_sms(stored_text(participant.phone), body, idempotency_key=key)
        else:
            email = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [participant.email],
                headers={"X-OpenIOP-Idempotency-Key": key},
            )
            email.send()
            message_id = key
        claim.status = ReminderClaim.Status.SENT
        claim.sent_at = timezone.now()
        claim.provider_message_id = message_id[:100]
        claim.save(update_fields=["status", "sent_at", "provider_message_id"])
        record(
            "scheduling.reminder_sent",
            acting_user=None,
            participant=participant,
            target=claim,
            details={"kind": claim.kind, "channel": claim.channel},
        )
        return True


def _claim_and_send(booking: Booking, *, kind: str, subject: str, body: str) -> int:
    sent = 0
    for channel in _channels(booking):
        # Step 2: get_or_create commits the claim (autocommit) or finds the existing one.
        claim, _ = ReminderClaim.objects.get_or_create(
            booking=booking,
            kind=kind,
            channel=channel,
            session_starts_at=booking.session.starts_at,
        )
        if _deliver(claim.pk, subject=subject, body=body):
            sent += 1
    return sent


def _load(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("session", "participant__user").filter(pk=booking_id).first()
    )


def send_reminder(booking_id: int, kind: str, session_starts_at: str) -> int:
    """Deliver one reminder job; returns the number of messages sent (0 or more channels)."""
    booking = _load(booking_id)
    if booking is None or booking.status != Booking.Status.BOOKED:
        return 0
    session = booking.session
    now = timezone.now()
    if session.is_cancelled or session.starts_at.isoformat() != session_starts_at:
        return 0
    if now >= session.starts_at:
        return 0
    if now < session.starts_at - OFFSETS[ReminderClaim.Kind(kind)] - EARLY_TOLERANCE:
        logger.warning("Reminder job for booking %s ran before it was due", booking_id)
        return 0
    zone = booking.participant.timezone
    with translation.override(languages.for_user(booking.participant.user)):
        subject, body = gettext("Session reminder"), reminder_text(session, zone)
    return _claim_and_send(booking, kind=kind, subject=subject, body=body)


def send_cancellation_notice(booking_id: int, session_starts_at: str) -> int:
    booking = _load(booking_id)
    if booking is None:
        return 0
    session = booking.session
    if not session.is_cancelled or session.starts_at.isoformat() != session_starts_at:
        return 0
    zone = booking.participant.timezone
    with translation.override(languages.for_user(booking.participant.user)):
        subject, body = gettext("Session cancelled"), cancellation_text(session, zone)
    return _claim_and_send(
        booking, kind=ReminderClaim.Kind.CANCELLATION, subject=subject, body=body
    )
