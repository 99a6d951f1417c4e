"""Writes to participant ↔ care team threads. Every write leaves an audit event holding codes
and counts only: the text of a message is encrypted before any row is built and is never put
in an event, an exception message, a log line or a notification.

Sending a message:
1. Refuse when the participant is discharged (their program has ended: the page says how to
   reach it) or the thread is locked.
2. Store the attachment on the chart first (`documents.actions.upload_document`: its type,
   size and content checks; a refusal raises DocumentRefused before anything else is written).
3. In one transaction: the message, the thread's last activity, the author's read mark, the
   audit event; for a participant's message, a crisis-language alert and, outside office hours,
   the automatic reply; the new-message notices are queued when it commits.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.encryption import keyring
from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.documents.actions import upload_document
from openiop.documents.models import Document
from openiop.messaging import threads_hours, threads_tasks
from openiop.messaging.models import Message, MessagingSettings, Thread, ThreadRead
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety.actions import raise_crisis_language_alert
from openiop.safety.crisis_language import has_crisis_language

# Characters: a long message fits; the request limit is larger.
MAX_TEXT_LENGTH = 60_000
MAX_SUBJECT_LENGTH = 120
ATTACHMENT_TITLE = "Message attachment"


class ThreadClosed(Exception):
    """A message the thread no longer takes; `reason` is a code for the page to explain."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The thread takes no messages ({reason}).")
        self.reason = reason


@dataclass(frozen=True)
class Sent:
    message: Message
    # The participant wrote crisis language: the page shows crisis resources at once.
    crisis: bool = False
    automatic_reply: Message | None = None


def encrypt(text: str) -> str:
    return keyring().encrypt(text)


def decrypt(value: str | None) -> str:
    return keyring().decrypt(value) if value else ""


def check_open(participant: Participant, thread: Thread | None = None) -> None:
    if participant.discharged_at is not None:
        raise ThreadClosed("discharged")
    if thread is not None and thread.is_locked:
        raise ThreadClosed("locked")


def _attach(participant: Participant, upload: UploadedFile | None, user: User) -> Document | None:
    if upload is None:
        return None
    return upload_document(
        participant,
        upload=upload,
        kind=Document.Kind.OTHER,
        title=ATTACHMENT_TITLE,
        acting_user=user,
    )


def start_thread(
    participant: Participant,
    *,
    subject: str,
    text: str,
    upload: UploadedFile | None = None,
    acting_user: User,
    now: datetime | None = None,
) -> Sent:
    """A participant's new thread to their care team, with its first message."""
    check_open(participant)
    attachment = _attach(participant, upload, acting_user)
    with transaction.atomic():
        now = now or timezone.now()
        thread = Thread.objects.create(
            participant=participant,
            subject_ciphertext=encrypt(subject.strip()[:MAX_SUBJECT_LENGTH]),
            started_by=acting_user,
            created_at=now,
            last_message_at=now,
        )
        record(
            "messaging.thread_started",
            acting_user=acting_user,
            participant=participant,
            target=thread,
        )
        return _send(thread, text=text, attachment=attachment, acting_user=acting_user, now=now)


def post_message(
    thread: Thread,
    *,
    text: str,
    upload: UploadedFile | None = None,
    acting_user: User,
    now: datetime | None = None,
) -> Sent:
    """A reply in `thread`, by its participant or a member of their care team (the gate has
    decided which; this decides whether the thread still takes messages)."""
    check_open(thread.participant, thread)
    attachment = _attach(thread.participant, upload, acting_user)
    with transaction.atomic():
        thread = (
            Thread.objects.select_for_update(of=("self",))
            .select_related("participant__program")
            .get(pk=thread.pk)
        )
        check_open(thread.participant, thread)
        return _send(thread, text=text, attachment=attachment, acting_user=acting_user, now=now)


def _send(
    thread: Thread,
    *,
    text: str,
    attachment: Document | None,
    acting_user: User,
    now: datetime | None,
) -> Sent:
    now = now or timezone.now()
    participant = thread.participant
    from_participant = participant.user_id == acting_user.pk
    message = Message.objects.create(
        thread=thread,
        kind=Message.Kind.PARTICIPANT if from_participant else Message.Kind.STAFF,
        author=acting_user,
        ciphertext=encrypt(text),
        attachment=attachment,
        sent_at=now,
    )
    thread.last_message_at = now
    thread.save(update_fields=["last_message_at"])
    _mark_read(thread, acting_user, message.pk, now)
    crisis = bool(from_participant and has_crisis_language(text, participant.program))
    record(
        "messaging.message_sent",
        acting_user=acting_user,
        participant=participant,
        target=message,
        details={
            "kind": message.kind,
            "flags": 1 if crisis else 0,
            "bytes": attachment.size if attachment else 0,
        },
    )
    if crisis:
        raise_crisis_language_alert(
            participant,
            where="a message to the care team",
            link=f"{reverse('messaging:thread', args=[thread.code])}#m-{message.code}",
            acting_user=acting_user,
        )
    automatic = None
    if from_participant:
        automatic = _automatic_reply(thread, now)
    transaction.on_commit(lambda: threads_tasks.notify_new_message.enqueue(message.pk))
    return Sent(message, crisis=crisis, automatic_reply=automatic)


def _automatic_reply(thread: Thread, now: datetime) -> Message | None:
    """Outside office hours, one automatic reply pointing to crisis resources and the
    program's after-hours message. Not repeated while the team has not answered since the last
    one: a participant writing three times at night gets one."""
    settings = threads_hours.settings_for(thread.participant.program)
    if threads_hours.is_open(settings, now):
        return None
    last_other = (
        thread.messages.exclude(kind=Message.Kind.PARTICIPANT).order_by("-id").only("kind").first()
    )
    if last_other is not None and last_other.kind == Message.Kind.AUTOMATIC:
        return None
    reply = Message.objects.create(
        thread=thread, kind=Message.Kind.AUTOMATIC, author=None, ciphertext=None, sent_at=now
    )
    record(
        "messaging.automatic_reply_sent",
        acting_user=None,
        participant=thread.participant,
        target=reply,
        details={"automatic": True},
    )
    return reply


def _mark_read(thread: Thread, user: User, last_id: int, now: datetime) -> None:
    read, created = ThreadRead.objects.get_or_create(
        thread=thread, user=user, defaults={"last_read_id": last_id, "read_at": now}
    )
    if not created and read.last_read_id < last_id:
        read.last_read_id = last_id
        read.read_at = now
        read.save(update_fields=["last_read_id", "read_at"])


def mark_read(thread: Thread, user: User, last_id: int) -> None:
    """The user has seen the thread up to message `last_id`. Read state, not a record of care:
    the read event the page records (`messaging.thread_viewed`) is its audit."""
    if last_id:
        _mark_read(thread, user, last_id, timezone.now())


@transaction.atomic
def lock_thread(thread: Thread, *, locked: bool, acting_user: User) -> Thread:
    """A care-team member closes a thread to replies (a finished topic, misuse) or reopens it."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if thread.is_locked == locked:
        return thread
    thread.locked_at = timezone.now() if locked else None
    thread.locked_by = acting_user if locked else None
    thread.save(update_fields=["locked_at", "locked_by"])
    record(
        "messaging.thread_locked" if locked else "messaging.thread_unlocked",
        acting_user=acting_user,
        participant=thread.participant,
        target=thread,
    )
    return thread


@transaction.atomic
def save_settings(
    program: Program,
    *,
    days: str,
    opens_at: object,
    closes_at: object,
    retention_days: int | None,
    acting_user: User,
) -> MessagingSettings:
    settings, created = MessagingSettings.objects.get_or_create(program=program)
    values = {
        "days": days,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "retention_days": retention_days,
    }
    changed = [
        name for name, value in values.items() if created or getattr(settings, name) != value
    ]
    for name, value in values.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    record(
        "messaging.settings_changed",
        acting_user=acting_user,
        target=settings,
        details={"program": str(program.code), "fields": sorted(changed)},
    )
    return settings


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Delete the messages older than each program's retention period (and threads left
    empty), one audit event per program with the counts. Attachments stay on the chart: they
    are documents of the record, kept by its own rules."""
    now = now or timezone.now()
    purged: dict[str, int] = {}
    for settings in MessagingSettings.objects.filter(retention_days__isnull=False).select_related(
        "program"
    ):
        assert settings.retention_days is not None
        cutoff = now - timedelta(days=settings.retention_days)
        with transaction.atomic():
            old = Message.objects.filter(
                thread__participant__program=settings.program, sent_at__lt=cutoff
            )
            _, per_model = old.delete()
            removed = per_model.get(Message._meta.label, 0)
            empty = Thread.objects.filter(
                participant__program=settings.program, last_message_at__lt=cutoff
            ).exclude(messages__isnull=False)
            threads = empty.count()
            empty.delete()
            if removed or threads:
                record(
                    "messaging.messages_purged",
                    acting_user=None,
                    details={
                        "program": str(settings.program.code),
                        "removed": removed,
                        "number": threads,
                    },
                )
        purged[str(settings.program.code)] = removed
    return purged
