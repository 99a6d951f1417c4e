"""Portal invitations: the one-time, expiring link that gives a participant (or, where the
program allows, their parent or guardian) a login linked to a chart.

Only the SHA-256 of the link's token is stored, like a password-reset token: the token itself
exists in the message and nowhere else. A resend revokes the old invitation and makes a new
one (a new token); accepting, revoking or expiry each end an invitation for good.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from openiop.lib.phone import PhoneField


def token_digest(token: str) -> str:
    """The stored form of a link's token. Tokens are 256 random bits, so a plain hash (no salt,
    no stretching) is enough to make a leaked table useless."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        GUARDIAN = "guardian", "Parent or guardian"

    class Status(models.TextChoices):
        """Computed (see `status`): the row keeps the moments, not a state."""

        PENDING = "pending", "Invited"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Revoked"
        REPLACED = "replaced", "Replaced by a newer link"
        EXPIRED = "expired", "Expired"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTICIPANT)
    # Where the link went. A participant's account takes this address (normalized); a link
    # sent by text only asks the person for an address when they accept.
    email = models.EmailField(blank=True)
    phone = PhoneField(blank=True)
    # Guardians only: who they are and how they are related to the participant.
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    relationship = models.CharField(max_length=60, blank=True)
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    # The account the invitation made.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when a resend replaced this invitation.
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(role="participant", accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_participant_invitation",
            ),
            models.UniqueConstraint(
                fields=["participant", "email"],
                condition=Q(role="guardian", accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_guardian_invitation_per_address",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(user__isnull=False),
                name="accepted_invitation_names_account",
            ),
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="invitation_has_a_channel"
            ),
            models.CheckConstraint(
                condition=Q(role="participant") | (~Q(email="") & ~Q(relationship="")),
                name="guardian_invitation_has_email_and_relationship",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} invitation"

    @property
    def status(self) -> "Invitation.Status":
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REPLACED if self.replaced_by_id else self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def invitee_name(self) -> str:
        if self.role == self.Role.GUARDIAN:
            return f"{self.given_name} {self.family_name}".strip()
        return self.participant.full_name
