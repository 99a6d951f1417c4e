"""Participant ↔ care team threads and their messages (issue 15, Build 1).

A thread belongs to one participant; its other side is their care team (CareTeamMember rows),
and directors of the program may read it (docs/messaging.md). The text of subjects and
messages is stored encrypted (`ID$fernet-token`, the keyring of `openiop.accounts.encryption`)
and the database refuses clear text. An attachment is a Document on the participant's chart.

Read state is one row per person and thread (`ThreadRead`): the id of the newest message they
have seen. Message ids only grow, so "unread" is "id greater than that, written by someone
else", one comparison that stays cheap however long the thread is.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

__all__ = ["Message", "MessagingSettings", "Thread", "ThreadRead"]

ENCRYPTED = r"^[A-Za-z0-9_-]{1,32}\$gA[A-Za-z0-9_=-]+$"


class Thread(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="message_threads"
    )
    subject_ciphertext = models.TextField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    last_message_at = models.DateTimeField()
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [models.Index(fields=["participant", "-last_message_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(subject_ciphertext__regex=ENCRYPTED),
                name="thread_subject_is_encrypted",
            ),
            models.CheckConstraint(
                condition=Q(locked_at__isnull=True, locked_by__isnull=True)
                | Q(locked_at__isnull=False, locked_by__isnull=False),
                name="thread_lock_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Thread {self.code}"

    def get_absolute_url(self) -> str:
        return reverse("messaging:thread", args=[self.code])

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Message(models.Model):
    class Kind(models.TextChoices):
        PARTICIPANT = "participant", "From the participant"
        STAFF = "staff", "From the care team"
        # The office-hours reply: no author, no stored text (it is drawn from the program's
        # settings when shown, in the reader's language).
        AUTOMATIC = "automatic", "Automatic reply"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Empty (NULL) for the automatic reply only, so key rotation passes over it.
    ciphertext = models.TextField(null=True, blank=True)
    attachment = models.ForeignKey(
        "documents.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField()
    # Set when the new-message notices were handed out (sent once; see notices.py).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["thread", "id"]), models.Index(fields=["sent_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="automatic", author__isnull=True, ciphertext__isnull=True)
                | (~Q(kind="automatic") & Q(author__isnull=False, ciphertext__regex=ENCRYPTED)),
                name="message_is_encrypted",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.code}"


class ThreadRead(models.Model):
    """How far one person has read one thread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="one_thread_read_per_user"),
        ]

    def __str__(self) -> str:
        return f"Read of {self.thread_id} by {self.user_id}"


class MessagingSettings(models.Model):
    """A program's office hours and message retention, set by its directors.

    Without a row the defaults apply: Monday to Friday, 9 AM to 5 PM in the program's zone,
    messages kept for good.
    """

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="messaging_settings"
    )
    # ISO weekday numbers as digits, Monday "1" … Sunday "7": "12345" is Monday to Friday.
    days = models.CharField(max_length=7, default="12345", blank=True)
    opens_at = models.TimeField(default="09:00")
    closes_at = models.TimeField(default="17:00")
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Messages older than this many days are deleted. Leave empty to keep them.",
    )

    class Meta:
        verbose_name_plural = "messaging settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=models.F("closes_at")), name="office_hours_in_order"
            ),
            models.CheckConstraint(
                condition=Q(retention_days__isnull=True) | Q(retention_days__gte=30),
                name="retention_at_least_30_days",
            ),
        ]

    def __str__(self) -> str:
        return f"Messaging settings of {self.program_id}"
