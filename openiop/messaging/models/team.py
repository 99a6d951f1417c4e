"""The care team's coordination around one participant: team threads, tasks, mentions, and the
program's weekly case review (issue 15, Build 2).

Free text (posts, task notes, case-review decisions) is stored encrypted with the site keyring,
as psychotherapy notes are (`openiop.messaging.team_crypto`); the database refuses clear text.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

__all__ = ["CaseReview", "CaseReviewDecision", "Mention", "TeamPost", "TeamTask"]

# An `ID$fernet-token` value, as `openiop.lib.crypto.Keyring.encrypt` writes it.
ENCRYPTED = r"^[A-Za-z0-9_-]{1,32}\$gA[A-Za-z0-9_=-]+$"


class TeamPost(models.Model):
    """One post in a participant's team thread: seen by the care team and the program's
    directors only, never by the participant or their guardians."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="team_posts"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ciphertext = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["participant", "-created_at"], name="team_post_thread")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ciphertext__regex=ENCRYPTED), name="team_post_is_encrypted"
            )
        ]

    def __str__(self) -> str:
        return f"Team post {self.code}"


class Mention(models.Model):
    """An @mention of a care-team member in a post: the in-app notice (unseen until they open
    the thread) and the claim for its one email."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(TeamPost, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_mentions"
    )
    seen_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_mention_per_post_and_user")
        ]
        indexes = [models.Index(fields=["user", "seen_at"], name="team_mention_inbox")]

    def __str__(self) -> str:
        return f"Mention {self.code}"


class TeamTask(models.Model):
    """A piece of work about one participant ("call after missed session", "med review")."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="team_tasks"
    )
    title = models.CharField(
        max_length=120, help_text="What to do, briefly: details go in the note."
    )
    # Encrypted; null (not "") when there is no note, so key rotation skips it.
    note_ciphertext = models.TextField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_tasks"
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="team_task_inbox"),
            models.Index(fields=["participant", "status", "due_at"], name="team_task_chart"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(note_ciphertext__isnull=True) | Q(note_ciphertext__regex=ENCRYPTED),
                name="team_task_note_is_encrypted",
            ),
            models.CheckConstraint(
                condition=Q(status="open", done_at__isnull=True)
                | Q(status="done", done_at__isnull=False),
                name="team_task_done_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CaseReview(models.Model):
    """A program's case review of one week (Monday in the program's zone)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="case_reviews"
    )
    week_of = models.DateField(help_text="The Monday of the week reviewed, in the program's zone.")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "week_of"], name="one_case_review_per_week")
        ]

    def __str__(self) -> str:
        return f"Case review of {self.week_of}"


class CaseReviewDecision(models.Model):
    """What the case review decided for one flagged participant; shown on their team page.
    Decisions are added, never edited: a later one supersedes an earlier one in practice."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    review = models.ForeignKey(CaseReview, on_delete=models.PROTECT, related_name="decisions")
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.PROTECT,
        related_name="case_review_decisions",
    )
    # Why the participant was on the review (flag codes of `openiop.messaging.case_review`).
    flags = models.JSONField(default=list)
    ciphertext = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["participant", "-decided_at"], name="case_decision_chart")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ciphertext__regex=ENCRYPTED), name="case_decision_is_encrypted"
            )
        ]

    def __str__(self) -> str:
        return f"Case review decision {self.code}"
