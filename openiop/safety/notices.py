"""The ladder's notices: one text and one email per step (and round), each sent exactly once.

The claim-before-send pattern of openiop.scheduling.reminders:
1. A closed alert sends nothing (acknowledgement stops the ladder; checked under lock).
2. The claims (EscalationNotice, unique per alert, round, step and channel) are written in the
   transaction that takes the step (`claim`) and commit with it, before any provider call and
   before the `notify` job is queued: a duplicate job finds them, and a lost job leaves them
   for the sweep.
3. Lock the claim with SKIP LOCKED while it is `claimed` or `failed`, re-check the alert, call
   the provider with the claim code as idempotency key, mark it `sent`, commit. A worker that
   dies before that commit leaves the claim open; the retry hands the provider the same key,
   and the provider drops the repeat.
4. A provider error marks the claim `failed` (visible on the timeline) and queues a retry
   with backoff; the other channel goes on regardless, so email still goes when SMS is down.

Texts carry no PHI: no name, no program, no alert code — only that something needs the person.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib.phone import stored_text
from openiop.notifications.sms import SmsError, send_sms
from openiop.safety import timeline
from openiop.safety.models import AlertEvent, EscalationNotice, SafetyAlert

logger = logging.getLogger(__name__)

TEXT = "OpenIOP: an urgent item needs you — sign in"
EMAIL_SUBJECT = "OpenIOP: an urgent item needs you"
EMAIL_BODY = f"{TEXT}.\n\nSign in to OpenIOP to see it. This message holds no other details.\n"

# Retries after a provider error: 30 s, 1 min, 2 min … capped at 10 min, while the alert is open.
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(minutes=10)
# The sweep re-delivers a claim left open this long (its worker died, or its retry job was lost).
STALE_CLAIM = timedelta(minutes=2)

SENT, SKIPPED, FAILED = "sent", "skipped", "failed"


def channels_for(user: User) -> list[str]:
    channels: list[str] = []
    if user.mobile_phone:
        channels.append(EscalationNotice.Channel.SMS)
    if user.email:
        channels.append(EscalationNotice.Channel.EMAIL)
    return channels


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _hand_to_provider(notice: EscalationNotice, recipient: User) -> str:
    key = str(notice.code)
    if notice.channel == EscalationNotice.Channel.SMS:
        return send_sms(stored_text(recipient.mobile_phone), TEXT, idempotency_key=key)
    EmailMessage(
        EMAIL_SUBJECT,
        EMAIL_BODY,
        settings.DEFAULT_FROM_EMAIL,
        [recipient.email],
        headers={"X-OpenIOP-Idempotency-Key": key},
    ).send()
    return key


def _audit(notice: EscalationNotice, alert: SafetyAlert, event: str) -> None:
    record(
        event,
        acting_user=None,
        participant=alert.participant,
        target=notice,
        details={
            "alert": str(alert.code),
            "step": notice.step,
            "channel": notice.channel,
            "user": str(notice.recipient.code),
            "status": notice.status,
            "number": notice.attempts,
        },
    )


def deliver(notice_pk: int) -> str:
    """Step 3 for one claim: SENT, FAILED (will retry), or SKIPPED (done, busy or closed)."""
    with transaction.atomic():
        notice = (
            EscalationNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(
                pk=notice_pk,
                status__in=[EscalationNotice.Status.CLAIMED, EscalationNotice.Status.FAILED],
            )
            .first()
        )
        if notice is None:
            return SKIPPED
        alert = SafetyAlert.objects.select_related("participant").get(pk=notice.alert_id)
        if not alert.is_open:
            return SKIPPED
        recipient = notice.recipient
        notice.attempts += 1
        try:
            message_id = _hand_to_provider(notice, recipient)
        except (SmsError, smtplib.SMTPException, OSError) as error:
            logger.warning(
                "Escalation notice %s (%s) failed: %s",
                notice.code,
                notice.channel,
                type(error).__name__,
            )
            notice.status = EscalationNotice.Status.FAILED
            notice.last_error = f"{notice.get_channel_display()} provider error; will retry"
            notice.save(update_fields=["status", "attempts", "last_error"])
            timeline.log(
                alert,
                AlertEvent.Kind.NOTIFY_FAILED,
                recipient=recipient,
                step=notice.step,
                channel=notice.channel,
                detail=f"{notice.last_error} (attempt {notice.attempts})",
            )
            _audit(notice, alert, "escalation.notice_failed")
            return FAILED
        notice.status = EscalationNotice.Status.SENT
        notice.sent_at = timezone.now()
        notice.provider_message_id = message_id[:100]
        notice.save(update_fields=["status", "attempts", "sent_at", "provider_message_id"])
        timeline.log(
            alert,
            AlertEvent.Kind.NOTIFIED,
            recipient=recipient,
            step=notice.step,
            channel=notice.channel,
            at=notice.sent_at,
        )
        _audit(notice, alert, "escalation.notice_sent")
        return SENT


def claim(alert: SafetyAlert, step: int, round_: int, recipient: User) -> int:
    """Step 2, in the step's own transaction: one claim per channel of the recipient.

    The claims commit with the step itself, so a job lost before it ran, or a worker killed
    between two channels, still leaves every notice of the step for the sweep to send.
    """
    now = timezone.now()
    created = 0
    for channel in channels_for(recipient):
        _, made = EscalationNotice.objects.get_or_create(
            alert=alert,
            round=round_,
            step=step,
            channel=channel,
            defaults={"recipient": recipient, "claimed_at": now},
        )
        created += made
    return created


def notify(alert_id: int, step: int, round_: int) -> int:
    """One `notify` job: send each open claim of the step; returns the number sent now."""
    pending = list(
        EscalationNotice.objects.filter(
            alert_id=alert_id,
            round=round_,
            step=step,
            status__in=[EscalationNotice.Status.CLAIMED, EscalationNotice.Status.FAILED],
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )
    sent = 0
    failed_attempts = 0
    for pk in pending:
        outcome = deliver(pk)
        if outcome == SENT:
            sent += 1
        elif outcome == FAILED:
            attempts = EscalationNotice.objects.values_list("attempts", flat=True).get(pk=pk)
            failed_attempts = max(failed_attempts, attempts)
    if failed_attempts:
        _queue_retry(alert_id, step, round_, retry_delay(failed_attempts))
    return sent


def _queue_retry(alert_id: int, step: int, round_: int, delay: timedelta) -> None:
    # Imported here: tasks imports this module.
    from openiop.safety import tasks

    run_after = timezone.now() + delay
    transaction.on_commit(
        lambda: tasks.notify.using(run_after=run_after).enqueue(alert_id, step, round_)
    )


def redeliver_stale(now: datetime | None = None) -> int:
    """Send claims of open alerts left `claimed` or `failed` past STALE_CLAIM (the sweep)."""
    moment = now or timezone.now()
    stale = (
        EscalationNotice.objects.filter(
            status__in=[EscalationNotice.Status.CLAIMED, EscalationNotice.Status.FAILED],
            alert__status=SafetyAlert.Status.OPEN,
            claimed_at__lte=moment - STALE_CLAIM,
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return sum(deliver(pk) == SENT for pk in list(stale))
