"""Peer spaces: one per group and one per group's alumni, with posts, replies, reports and
moderation (issue 15, Build 3; docs/community.md).

Who belongs (openiop/community/access.py decides, from these rows and the group's roster):
- a group's space: its seated participants, and its facilitators as moderators;
- a group's alumni space: participants holding an alumni `Member` row (made by
  `actions.admit_alumni` once a participant who was in the group is discharged), and the
  group's facilitators as moderators.
A `Member` row also holds each person's own state in a space: rules accepted, removed.

Post text is encrypted at rest under the site keyring (openiop.lib.crypto), like
psychotherapy notes; the database refuses clear text.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

ENCRYPTED = Q(ciphertext__regex=r"^[A-Za-z0-9_-]{1,32}\$gA[A-Za-z0-9_=-]+$")

DEFAULT_RULES = (
    "Use first names only, and keep what others share here in this space.\n"
    "Be kind. Disagree with ideas, not people.\n"
    "No advice about medication doses; ask your care team.\n"
    "This space is not watched around the clock. In a crisis call or text 988, or 911.\n"
    "Moderators may hide posts or remove members who break these rules."
)


class Space(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", _("Group")
        ALUMNI = "alumni", _("Alumni")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey("programs.Group", on_delete=models.CASCADE, related_name="spaces")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    rules = models.TextField(default=DEFAULT_RULES, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    # A locked space takes no new posts or replies; what is there stays readable.
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "kind"], name="one_space_per_group_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.group} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("community:space", args=[self.code])

    @property
    def is_alumni(self) -> bool:
        return self.kind == self.Kind.ALUMNI


class Member(models.Model):
    """One person's standing in a space: when they accepted its rules, whether a moderator
    removed them, and (alumni spaces) that they are an alumnus."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    # Alumni spaces only: the membership itself (granted at discharge, kept afterwards).
    alumnus_since = models.DateTimeField(null=True, blank=True)
    rules_accepted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="one_member_row_per_space"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class Post(models.Model):
    """A thread's first post (`parent` empty) or a reply to one."""

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        # Crisis language: waits for a moderator; only the author and moderators see it.
        HELD = "held", _("Held for a moderator")
        HIDDEN = "hidden", _("Hidden by a moderator")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_posts"
    )
    ciphertext = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(db_index=True)
    # Threads sort by their last activity; kept on the first post by the posting actions.
    last_activity_at = models.DateTimeField()
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Threads only: a locked thread takes no replies.
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["space", "parent", "-last_activity_at"]),
            models.Index(fields=["parent", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=ENCRYPTED, name="community_post_is_encrypted"),
        ]

    def __str__(self) -> str:
        return str(self.code)

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def thread_code(self) -> uuid.UUID:
        return self.code if self.parent is None else self.parent.code


class Report(models.Model):
    """A member's report of a post to the moderators: a reason code, no free text."""

    class Reason(models.TextChoices):
        UNKIND = "unkind", _("Unkind or harassing")
        PRIVACY = "privacy", _("Shares someone's private details")
        UNSAFE = "unsafe", _("Worried about someone's safety")
        SPAM = "spam", _("Spam or off-topic")
        OTHER = "other", _("Something else")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=8, choices=Reason.choices)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_reporter"),
        ]

    def __str__(self) -> str:
        return self.get_reason_display()


class Retention(models.Model):
    """How long a program keeps peer-space posts (docs/community.md, "Retention"). Without a
    row the default applies; `manage.py purge_community_posts` deletes older threads."""

    DEFAULT_DAYS = 365

    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="community_retention"
    )
    days = models.PositiveSmallIntegerField(default=DEFAULT_DAYS)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=30), name="community_retention_min"),
        ]

    def __str__(self) -> str:
        return f"{self.days} days"
