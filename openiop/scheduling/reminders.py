"""Session reminders and cancellation notices, each delivered exactly once per channel.

Steps for one reminder job (SECURITY.md R9):
1. Re-read the booking and session. Released bookings, cancelled sessions, sessions that moved
   (the job carries the start it was made for) and sessions already started send nothing.
2. Write the claim rows (unique per booking, kind, channel and start) and commit them before
   any provider call: a duplicate job finds them.
3. Lock the claim with SKIP LOCKED while it is still `claimed`, call the provider with the
   claim code as idempotency key, mark it `sent`, commit. A second worker skips a locked or
   sent claim; a worker that dies before the commit leaves the claim `claimed`, and the retry
   sends it.
4. Neither queue retries a job whose worker died (django-tasks-db leaves it "running", RQ moves
   it to its failed registry). The sweep, run every minute by `manage.py
   resend_stale_reminders`, mends both ways a job can die: `redeliver_stale` sends claims left
   `claimed` past STALE_CLAIM, with the same key; `send_overdue` runs again a job that died
   before it claimed, found by its `PlannedReminder` (written with the booking, marked handled
   once the job has claimed). Both only while the session is still ahead.

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
from openiop.scheduling.models import (
    Booking,
    PlannedReminder,
    ReminderClaim,
    ReminderPreference,
    Session,
)

logger = logging.getLogger(__name__)

OFFSETS = {
    ReminderClaim.Kind.DAY_BEFORE: timedelta(hours=24),
    ReminderClaim.Kind.HOUR_BEFORE: timedelta(hours=1),
}
# A job run this much before its due time was started early (e.g. by hand) and sends nothing.
EARLY_TOLERANCE = timedelta(minutes=5)
# The sweep re-sends a claim left `claimed` this long: its worker died between claim and send.
STALE_CLAIM = timedelta(minutes=2)


def _enqueue(name: str, *, run_after: datetime, args: list) -> None:
    # Imported here: tasks imports this module.
    from openiop.scheduling import tasks

    getattr(tasks, name).using(run_after=run_after).enqueue(*args)


def _plan(plans: list[PlannedReminder]) -> None:
    """Write the plans in the caller's transaction, with the booking. A plan made again (a
    session moved back to an earlier start) is owed again: its claims, if any, stop a repeat."""
    PlannedReminder.objects.bulk_create(
        plans,
        update_conflicts=True,
        unique_fields=["booking", "kind", "session_starts_at"],
        update_fields=["due_at", "handled_at"],
    )


def schedule_reminders(bookings: Iterable[Booking], *, session_for: dict[int, Session]) -> int:
    """Plan the 24 h and 1 h reminders of `bookings` now, and queue them once the caller's
    transaction commits."""
    now = timezone.now()
    jobs, plans = [], []
    for booking in bookings:
        session = session_for[booking.session_id]
        for kind, offset in OFFSETS.items():
            due = session.starts_at - offset
            if due > now:
                jobs.append((due, [booking.pk, kind.value, session.starts_at.isoformat()]))
                plans.append(
                    PlannedReminder(
                        booking=booking, kind=kind, session_starts_at=session.starts_at, due_at=due
                    )
                )

    def enqueue_all() -> None:
        for due, args in jobs:
            _enqueue("send_reminder", run_after=due, args=args)

    if jobs:
        _plan(plans)
        transaction.on_commit(enqueue_all)
    return len(jobs)


def schedule_cancellation_notices(bookings: Iterable[Booking], session: Session) -> int:
    """Plan one cancellation notice per booking now, and queue them after commit."""
    bookings = list(bookings)
    args = [[booking.pk, session.starts_at.isoformat()] for booking in bookings]

    def enqueue_all() -> None:
        for item in args:
            _enqueue("send_cancellation_notice", run_after=timezone.now(), args=item)

    if args:
        kind, now = ReminderClaim.Kind.CANCELLATION, timezone.now()
        _plan(
            [
                PlannedReminder(
                    booking=b, kind=kind, session_starts_at=session.starts_at, due_at=now
                )
                for b in bookings
            ]
        )
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


def _deliver(claim_pk: int, *, subject: str, body: str, by_sweep: bool = False) -> bool:
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
            details={"kind": claim.kind, "channel": claim.channel}
            | ({"source": "sweep"} if by_sweep else {}),
        )
        return True


def _handled(booking_id: int, kind: str, session_starts_at: str, now: datetime) -> None:
    """The job's plan needs no second run: it has claimed, or there is nothing to send."""
    PlannedReminder.objects.filter(
        booking_id=booking_id,
        kind=kind,
        session_starts_at=datetime.fromisoformat(session_starts_at),
        handled_at__isnull=True,
    ).update(handled_at=now)


def _claim_and_send(
    booking: Booking, *, kind: str, subject: str, body: str, now: datetime, by_sweep: bool
) -> int:
    # Step 2, every channel before any send: get_or_create commits each claim (autocommit) or
    # finds the existing one, so a worker killed during the text leaves the email claimed too.
    claims = [
        ReminderClaim.objects.get_or_create(
            booking=booking,
            kind=kind,
            channel=channel,
            session_starts_at=booking.session.starts_at,
        )[0]
        for channel in _channels(booking)
    ]
    _handled(booking.pk, kind, booking.session.starts_at.isoformat(), now)
    return sum(
        _deliver(claim.pk, subject=subject, body=body, by_sweep=by_sweep) for claim in claims
    )


def _load(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("session", "participant__user").filter(pk=booking_id).first()
    )


def _message(booking: Booking, kind: str) -> tuple[str, str]:
    """The subject and text of `kind` for `booking`, in the participant's language."""
    session, zone = booking.session, booking.participant.timezone
    with translation.override(languages.for_user(booking.participant.user)):
        if kind == ReminderClaim.Kind.CANCELLATION:
            return gettext("Session cancelled"), cancellation_text(session, zone)
        return gettext("Session reminder"), reminder_text(session, zone)


def _reminder_wanted(booking: Booking, session_starts_at: str, now: datetime) -> bool:
    """Step 1 for a reminder: still booked, same start, not cancelled and not started."""
    session = booking.session
    return (
        booking.status == Booking.Status.BOOKED
        and not session.is_cancelled
        and session.starts_at.isoformat() == session_starts_at
        and now < session.starts_at
    )


def _notice_wanted(booking: Booking, session_starts_at: str) -> bool:
    session = booking.session
    return session.is_cancelled and session.starts_at.isoformat() == session_starts_at


def send_reminder(
    booking_id: int,
    kind: str,
    session_starts_at: str,
    *,
    now: datetime | None = None,
    by_sweep: bool = False,
) -> int:
    """Deliver one reminder job; returns the number of messages sent (0 or more channels)."""
    booking = _load(booking_id)
    now = now or timezone.now()
    if booking is None or not _reminder_wanted(booking, session_starts_at, now):
        _handled(booking_id, kind, session_starts_at, now)
        return 0
    if now < booking.session.starts_at - OFFSETS[ReminderClaim.Kind(kind)] - EARLY_TOLERANCE:
        logger.warning("Reminder job for booking %s ran before it was due", booking_id)
        return 0
    subject, body = _message(booking, kind)
    return _claim_and_send(
        booking, kind=kind, subject=subject, body=body, now=now, by_sweep=by_sweep
    )


def send_cancellation_notice(
    booking_id: int, session_starts_at: str, *, now: datetime | None = None, by_sweep: bool = False
) -> int:
    kind, now = ReminderClaim.Kind.CANCELLATION, now or timezone.now()
    booking = _load(booking_id)
    if booking is None or not _notice_wanted(booking, session_starts_at):
        _handled(booking_id, kind, session_starts_at, now)
        return 0
    subject, body = _message(booking, kind)
    return _claim_and_send(
        booking, kind=kind, subject=subject, body=body, now=now, by_sweep=by_sweep
    )


def redeliver_stale(now: datetime | None = None) -> int:
    """Step 4, the sweep: send claims a dead worker left `claimed` past STALE_CLAIM.

    Only while the session is still ahead, and only if the job would still send it (a booking
    released or a session moved or cancelled since leaves its reminder unsent). Returns the
    number sent now; a claim another worker holds or sent meanwhile is skipped.
    """
    moment = now or timezone.now()
    stale = (
        ReminderClaim.objects.filter(
            status=ReminderClaim.Status.CLAIMED,
            claimed_at__lte=moment - STALE_CLAIM,
            session_starts_at__gt=moment,
        )
        .select_related("booking__session", "booking__participant__user")
        .order_by("id")
    )
    sent = 0
    for claim in list(stale):
        booking, starts_at = claim.booking, claim.session_starts_at.isoformat()
        if claim.kind == ReminderClaim.Kind.CANCELLATION:
            wanted = _notice_wanted(booking, starts_at)
        else:
            wanted = _reminder_wanted(booking, starts_at, moment)
        if not wanted:
            continue
        subject, body = _message(booking, claim.kind)
        sent += _deliver(claim.pk, subject=subject, body=body, by_sweep=True)
    return sent


def send_overdue(now: datetime | None = None) -> int:
    """Step 4, the sweep's other half: run again each job that died before it claimed.

    A plan still not handled STALE_CLAIM after it was due is a job a worker took and lost (or
    one still waiting behind a long queue: then whichever runs second finds the claims). The
    job's own checks apply: a booking released, a session moved, cancelled or begun sends
    nothing and closes the plan. Returns the number of messages sent now.
    """
    moment = now or timezone.now()
    overdue = (
        PlannedReminder.objects.filter(
            handled_at__isnull=True,
            due_at__lte=moment - STALE_CLAIM,
            session_starts_at__gt=moment,
        )
        .order_by("due_at", "id")
        .values_list("booking_id", "kind", "session_starts_at")
    )
    sent = 0
    for booking_id, kind, starts_at in list(overdue):
        if kind == ReminderClaim.Kind.CANCELLATION:
            sent += send_cancellation_notice(
                booking_id, starts_at.isoformat(), now=moment, by_sweep=True
            )
        else:
            sent += send_reminder(
                booking_id, kind, starts_at.isoformat(), now=moment, by_sweep=True
            )
    return sent


def sweep(now: datetime | None = None) -> int:
    """Both halves of step 4, as `manage.py resend_stale_reminders` runs them every minute."""
    return redeliver_stale(now) + send_overdue(now)
