"""The participant's notice that their discharge summary is signed: one text and one email,
each saying only that the portal has an update (DESIGN.md rule 5: no PHI in texts or emails,
not even that there was a discharge).

Sent once: the job locks the summary row (SKIP LOCKED) while `participant_notified_at` is empty,
sends, and stamps it in the same transaction. A worker that dies before its commit leaves the
stamp empty and the retry sends again with the same idempotency keys, which providers that
support them drop.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from openiop.accounts import languages
from openiop.audit.actions import record
from openiop.discharge.models import DischargeSummary
from openiop.lib.phone import stored_text
from openiop.notifications.sms import send_sms
from openiop.scheduling.models import ReminderPreference


def notice_subject() -> str:
    return gettext("An update in your portal")


def notice_text() -> str:
    return gettext("There is an update in your %(site)s portal. Sign in to see it.") % {
        "site": settings.SITE_NAME
    }


def send_discharge_notice(summary_id: int) -> int:
    """Send the notice of one signed summary; returns the number of messages sent."""
    with transaction.atomic():
        summary = (
            DischargeSummary.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("participant__user")
            .filter(
                pk=summary_id,
                status=DischargeSummary.Status.SIGNED,
                participant_notified_at__isnull=True,
            )
            .first()
        )
        if summary is None:
            return 0
        participant = summary.participant
        # The participant's reminder opt-outs stand for every message OpenIOP sends them.
        try:
            preference = participant.reminder_preference
        except ReminderPreference.DoesNotExist:
            preference = ReminderPreference(participant=participant)
        channels = []
        # In the language the participant reads their portal in (docs/i18n.md).
        with translation.override(languages.for_user(participant.user)):
            subject, text = notice_subject(), notice_text()
        if preference.sms and participant.phone:
            send_sms(
                stored_text(participant.phone),
                text,
                idempotency_key=f"{summary.code}:sms",
            )
            channels.append("sms")
        if preference.email and participant.email:
            EmailMessage(
                subject,
                text,
                settings.DEFAULT_FROM_EMAIL,
                [participant.email],
                headers={"X-OpenIOP-Idempotency-Key": f"{summary.code}:email"},
            ).send()
            channels.append("email")
        summary.participant_notified_at = timezone.now()
        summary.save(update_fields=["participant_notified_at"])
        record(
            "discharge.participant_notified",
            acting_user=None,
            participant=participant,
            target=summary,
            details={"channel": channels, "notified": len(channels)},
        )
        return len(channels)
