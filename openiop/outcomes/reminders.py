"""Reminders of questionnaires the sweep assigned: one message per participant and channel.

The text says only that there is a questionnaire and to sign in (DESIGN.md rule 5): no
instrument, no date or time, no program. It goes out in the participant's own daytime
(their timezone, which may be 14 hours from the program's), by the channels their reminder
preference leaves on (scheduling.ReminderPreference, which covers every message OpenIOP
sends them). Participants who were discharged keep their portal, so they are reminded too;
participants with no portal account are not (they could not sign in), and their
questionnaires wait for their care team to go through with them.

Sent once: the occasions are locked (SKIP LOCKED) while `reminded_at` is empty, the message
is sent and the occasions stamped in the same transaction. A worker that dies before its
commit leaves them unstamped; the next sweep sends again with the same idempotency keys,
which providers that support them drop.
"""

from datetime import datetime, time

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from openiop.audit.actions import record
from openiop.lib.phone import stored_text
from openiop.lib.recurrence import get_zone
from openiop.notifications.sms import send_sms
from openiop.outcomes.models import MeasurementOccasion
from openiop.outcomes.occasions import GRACE
from openiop.participants.models import Participant
from openiop.scheduling.models import ReminderPreference

# The participant's local hours in which a reminder may go out.
DAYTIME = (time(9), time(20))


def reminder_subject() -> str:
    return gettext("A questionnaire to complete")


def reminder_text() -> str:
    return gettext("%(site)s: you have a questionnaire to complete. Sign in to fill it in.") % {
        "site": settings.SITE_NAME
    }


def is_daytime(now: datetime, zone: str) -> bool:
    local = now.astimezone(get_zone(zone)).time()
    return DAYTIME[0] <= local < DAYTIME[1]


def _waiting(now: datetime):  # type: ignore[no-untyped-def]
    return MeasurementOccasion.objects.filter(
        reminded_at__isnull=True,
        superseded_at__isnull=True,
        assignment__status="open",
        created_at__gte=now - GRACE,
        participant__user__isnull=False,
        participant__user__is_active=True,
    )


def send_due(*, now: datetime) -> int:
    """Remind every participant with a new questionnaire whose daytime it is; returns the
    number of participants reminded."""
    waiting = _waiting(now).values_list("participant_id", "participant__timezone").distinct()
    reminded = 0
    for participant_id, zone in waiting:
        if is_daytime(now, zone):
            reminded += remind(participant_id, now=now)
    return reminded


def _channels(participant: Participant) -> list[str]:
    try:
        preference = participant.reminder_preference
    except ReminderPreference.DoesNotExist:
        preference = ReminderPreference(participant=participant)
    channels = []
    if preference.sms and participant.phone:
        channels.append("sms")
    if preference.email and participant.email:
        channels.append("email")
    return channels


def _language(participant: Participant) -> str:
    # The participant's own language once accounts store one; the site's until then.
    return getattr(participant.user, "language", "") or settings.LANGUAGE_CODE


def remind(participant_id: int, *, now: datetime) -> int:
    """Send one participant's reminder (1), or nothing (0) when another worker holds it or
    it was sent."""
    with transaction.atomic():
        occasions = list(
            _waiting(now)
            .select_for_update(skip_locked=True, of=("self",))
            .filter(participant_id=participant_id)
            .order_by("id")
        )
        if not occasions:
            return 0
        participant = Participant.objects.select_related("user").get(pk=participant_id)
        channels = _channels(participant)
        key = f"measures:{occasions[0].code}"
        with translation.override(_language(participant)):
            subject, body = reminder_subject(), reminder_text()
        if "sms" in channels:
            send_sms(stored_text(participant.phone), body, idempotency_key=f"{key}:sms")
        if "email" in channels:
            EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [participant.email],
                headers={"X-OpenIOP-Idempotency-Key": f"{key}:email"},
            ).send()
        MeasurementOccasion.objects.filter(pk__in=[o.pk for o in occasions]).update(reminded_at=now)
        record(
            "outcomes.measure_reminder_sent",
            acting_user=None,
            participant=participant,
            target=occasions[0],
            details={"channel": channels, "notified": len(channels), "number": len(occasions)},
        )
        return 1
