"""The notice of a new message: to the other side of the thread, saying only
"You have a new message in OpenIOP" (DESIGN.md rule 5: no name, no program, no content).

- A participant's message: each member of their care team who has not read it, by email
  (staff mobile numbers are kept for urgent safety notices). A member who already had an
  unread message in the thread was told then, and is not told again.
- A care-team member's message: the participant, by text and email under their reminder
  opt-outs, unless they already had an unread message from the team.
- The automatic reply notifies nobody (the participant has just written).

Sent once: the job locks the message (SKIP LOCKED) while `notified_at` is empty, sends, and
stamps it in the same transaction, as discharge notices do.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from openiop.audit.actions import record
from openiop.lib.phone import stored_text
from openiop.messaging.models import Message, ThreadRead
from openiop.notifications.sms import send_sms
from openiop.participants.models import CareTeamMember
from openiop.scheduling.models import ReminderPreference

TEXT = "You have a new message in OpenIOP"


def _email(address: str, key: str) -> None:
    EmailMessage(
        TEXT,
        TEXT,
        settings.DEFAULT_FROM_EMAIL,
        [address],
        headers={"X-OpenIOP-Idempotency-Key": key},
    ).send()


def _already_told(message: Message, read_up_to: int) -> bool:
    """An earlier message from the same side is still unread by the recipient."""
    return Message.objects.filter(
        thread_id=message.thread_id, kind=message.kind, id__gt=read_up_to, id__lt=message.pk
    ).exists()


def send_new_message_notices(message_id: int) -> int:
    """Send the notices of one message; returns how many were sent."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("thread__participant__user")
            .filter(pk=message_id, notified_at__isnull=True)
            .first()
        )
        if message is None:
            return 0
        participant = message.thread.participant
        reads = dict(
            ThreadRead.objects.filter(thread_id=message.thread_id).values_list(
                "user_id", "last_read_id"
            )
        )
        channels: list[str] = []
        key = str(message.code)
        if message.kind == Message.Kind.PARTICIPANT:
            team = CareTeamMember.objects.filter(participant=participant).select_related(
                "clinician"
            )
            for member in team:
                staff = member.clinician
                read_up_to = reads.get(staff.pk, 0)
                if not staff.is_active or not staff.email or read_up_to >= message.pk:
                    continue
                if _already_told(message, read_up_to):
                    continue
                _email(staff.email, f"{key}:{staff.pk}:email")
                channels.append("email")
        elif message.kind == Message.Kind.STAFF and participant.discharged_at is None:
            user_id = participant.user_id
            read_up_to = reads.get(user_id, 0) if user_id else 0
            if read_up_to < message.pk and not _already_told(message, read_up_to):
                try:
                    preference = participant.reminder_preference
                except ReminderPreference.DoesNotExist:
                    preference = ReminderPreference(participant=participant)
                if preference.sms and participant.phone:
                    send_sms(stored_text(participant.phone), TEXT, idempotency_key=f"{key}:sms")
                    channels.append("sms")
                if preference.email and participant.email:
                    _email(participant.email, f"{key}:email")
                    channels.append("email")
        message.notified_at = timezone.now()
        message.save(update_fields=["notified_at"])
        record(
            "messaging.participant_notified"
            if message.kind == Message.Kind.STAFF
            else "messaging.team_notified",
            acting_user=None,
            participant=participant,
            target=message,
            details={"channel": sorted(set(channels)), "notified": len(channels)},
        )
        return len(channels)
