"""Portal invitations: send, resend, revoke, accept (docs/consent.md).

A participant's account is linked to exactly one chart, made here and nowhere else: the admin
cannot make a participant or guardian account (accounts.admin), and `Participant.user` is
one-to-one. A guardian's account is linked through `GuardianLink` to the participants they
look after.

The link's token is handed to the mail and SMS providers after the transaction commits and is
never stored; only its SHA-256 is (`Invitation.token_sha256`). Messages say only that the
person was invited to OpenIOP (DESIGN.md rule 5: no program name, no diagnosis).
"""

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.consent.invitations import Invitation, token_digest
from openiop.lib.phone import stored_text
from openiop.lib.text import ZERO_WIDTH, email_skeleton, invisible_characters, normalize_email
from openiop.notifications.sms import SmsError, send_sms
from openiop.participants.models import GuardianLink, Participant

logger = logging.getLogger(__name__)

MESSAGE = "You have been invited to OpenIOP. Set up your account: {link}"
EMAIL_SUBJECT = "You have been invited to OpenIOP"
EMAIL_BODY = (
    MESSAGE + "\n\nThe link works once and expires after {days} days. If it has expired, ask "
    "for a new one.\n"
)


class InvitationError(Exception):
    """A refused invitation; `str()` is the message a person reads, with no one's details."""


class InvitationUnusable(Exception):
    """A link that cannot be used: `reason` is "unknown", "expired", "accepted" or "revoked"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sent:
    invitation: Invitation
    token: str


def link_for(token: str) -> str:
    return settings.OPENIOP_BASE_URL + reverse("welcome:accept", args=[token])


def _deliver(invitation_pk: int, token: str) -> None:
    """After commit: hand the link to the providers. A provider's failure is logged (the
    invitation's code only: no address, no token) and the invitation stays pending, so staff
    can resend it."""
    invitation = Invitation.objects.get(pk=invitation_pk)
    link = link_for(token)
    if invitation.email:
        try:
            EmailMessage(
                EMAIL_SUBJECT,
                EMAIL_BODY.format(link=link, days=settings.OPENIOP_INVITATION_DAYS),
                settings.DEFAULT_FROM_EMAIL,
                [invitation.email],
                headers={"X-OpenIOP-Idempotency-Key": str(invitation.code)},
            ).send()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("Invitation %s email failed: %s", invitation.code, type(error).__name__)
    if invitation.phone:
        try:
            send_sms(
                stored_text(invitation.phone),
                MESSAGE.format(link=link),
                idempotency_key=str(invitation.code),
            )
        except SmsError as error:
            logger.warning("Invitation %s text failed: %s", invitation.code, type(error).__name__)


def check_new_address(email: str, *, field: str = "email") -> str:
    """The normalized address, or InvitationError when it cannot be a new account's login:
    invisible characters, already in use, or a look-alike of another account's address."""
    if found := invisible_characters(email) + [f"U+{ord(c):04X}" for c in email if c in ZERO_WIDTH]:
        raise InvitationError(
            f"The email address contains invisible characters ({', '.join(sorted(set(found)))}). "
            "Type it again by hand."
        )
    normalized = normalize_email(email)
    if User.objects.filter(email=normalized).exists():
        raise InvitationError(
            "This email address is already used by another account. Check the address with "
            "the person; nothing was sent."
        )
    skeleton = email_skeleton(normalized)
    for existing in User.objects.values_list("email", flat=True).iterator():
        if email_skeleton(existing) == skeleton:
            raise InvitationError(
                "This email address looks the same as another account's address (it uses "
                "letters from another alphabet). Check the address with the person; nothing "
                "was sent."
            )
    return normalized


def _new_invitation(participant: Participant, *, acting_user: User | None, **fields) -> Sent:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                participant=participant,
                token_sha256=token_digest(token),
                created_at=now,
                created_by=acting_user,
                expires_at=now + timedelta(days=settings.OPENIOP_INVITATION_DAYS),
                **fields,
            )
    except IntegrityError as exc:
        raise InvitationError(
            "An invitation is already waiting to be accepted: resend or revoke it."
        ) from exc
    transaction.on_commit(lambda: _deliver(invitation.pk, token))
    return Sent(invitation, token)


def _audit(event: str, invitation: Invitation, *, acting_user: User | None, **details) -> None:
    record(
        event,
        acting_user=acting_user,
        participant=invitation.participant,
        target=invitation,
        details={
            "invitation": str(invitation.code),
            "role": invitation.role,
            "email": bool(invitation.email),
            "sms": bool(invitation.phone),
            **details,
        },
    )


@transaction.atomic
def invite_participant(participant: Participant, *, acting_user: User | None) -> Sent:
    """Send the participant a link to set up their portal account, by email and/or text."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.user_id is not None:
        raise InvitationError("This participant already has a portal account.")
    if not participant.email and not participant.phone:
        raise InvitationError(
            "Add an email address or a mobile number to the chart first: the invitation goes there."
        )
    email = check_new_address(participant.email) if participant.email else ""
    sent = _new_invitation(
        participant,
        acting_user=acting_user,
        role=Invitation.Role.PARTICIPANT,
        email=email,
        phone=participant.phone or "",
    )
    _audit("consent.invitation_sent", sent.invitation, acting_user=acting_user)
    return sent


def invite_on_admission(participant: Participant, *, acting_user: User) -> Sent | None:
    """Admission's invitation: sent when the chart has an address and no login, and none is
    already waiting. A refused address sends nothing and does not hold up the admission;
    staff see "not invited" on the chart and the reason when they try."""
    if participant.user_id is not None or not (participant.email or participant.phone):
        return None
    if any(i.is_open for i in participant.invitations.filter(role=Invitation.Role.PARTICIPANT)):
        return None
    try:
        with transaction.atomic():
            return invite_participant(participant, acting_user=acting_user)
    except InvitationError:
        return None


@transaction.atomic
def invite_guardian(
    participant: Participant,
    *,
    given_name: str,
    family_name: str,
    email: str,
    relationship: str,
    acting_user: User,
) -> Sent:
    """Invite a parent or guardian, where the participant's program allows guardians."""
    if participant.program is None or not participant.program.allows_guardians:
        raise InvitationError("This program does not allow parent or guardian accounts.")
    for label, value in (("name", f"{given_name}{family_name}"), ("relationship", relationship)):
        if found := invisible_characters(value):
            raise InvitationError(
                f"The {label} contains invisible characters ({', '.join(found)}). "
                "Type it again by hand."
            )
    normalized = check_new_address(email)
    if participant.email and normalize_email(participant.email) == normalized:
        raise InvitationError("A guardian needs their own email address, not the participant's.")
    sent = _new_invitation(
        participant,
        acting_user=acting_user,
        role=Invitation.Role.GUARDIAN,
        email=normalized,
        given_name=given_name.strip(),
        family_name=family_name.strip(),
        relationship=relationship.strip(),
    )
    _audit("consent.invitation_sent", sent.invitation, acting_user=acting_user)
    return sent


def _lock_open(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.select_for_update().select_related("participant").get(pk=invitation.pk)
    )
    if locked.accepted_at is not None:
        raise InvitationError("This invitation was already accepted.")
    if locked.revoked_at is not None:
        raise InvitationError("This invitation was already revoked or replaced.")
    return locked


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, acting_user: User) -> Invitation:
    """The link stops working at once (an expired one may be revoked too, for the record)."""
    invitation = _lock_open(invitation)
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = acting_user
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    _audit("consent.invitation_revoked", invitation, acting_user=acting_user)
    return invitation


@transaction.atomic
def resend_invitation(invitation: Invitation, *, acting_user: User) -> Sent:
    """A new link (a new token) to the same place; the old link stops working."""
    old = _lock_open(invitation)
    old.revoked_at = timezone.now()
    old.revoked_by = acting_user
    old.save(update_fields=["revoked_at", "revoked_by"])
    participant = old.participant
    if old.role == Invitation.Role.PARTICIPANT:
        sent = invite_participant(participant, acting_user=acting_user)
    else:
        sent = invite_guardian(
            participant,
            given_name=old.given_name,
            family_name=old.family_name,
            email=old.email,
            relationship=old.relationship,
            acting_user=acting_user,
        )
    old.replaced_by = sent.invitation
    old.save(update_fields=["replaced_by"])
    _audit(
        "consent.invitation_resent",
        sent.invitation,
        acting_user=acting_user,
        replaces=str(old.code),
    )
    return sent


def find_invitation(token: str) -> Invitation:
    """The invitation behind a link's token, or InvitationUnusable("unknown")."""
    if not token or len(token) > 200:
        raise InvitationUnusable("unknown")
    invitation = (
        Invitation.objects.select_related("participant", "participant__program")
        .filter(token_sha256=token_digest(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    return invitation


def check_usable(invitation: Invitation) -> None:
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationUnusable("accepted")
    if status in (Invitation.Status.REVOKED, Invitation.Status.REPLACED):
        raise InvitationUnusable("revoked")
    if status == Invitation.Status.EXPIRED:
        raise InvitationUnusable("expired")


@transaction.atomic
def accept_invitation(token: str, *, password: str, email: str = "") -> User:
    """Make the account the link promised and link it: a participant's to their chart, a
    guardian's to the participant. `email` is asked for only when the link went by text to a
    chart with no address. Raises InvitationUnusable, InvitationError, or Django's
    ValidationError for a password the validators refuse."""
    found = find_invitation(token)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("participant", "participant__program")
        .get(pk=found.pk)
    )
    check_usable(invitation)
    participant = Participant.objects.select_for_update().get(pk=invitation.participant_id)
    address = invitation.email or email
    if not address:
        raise InvitationError("Enter your email address: you will sign in with it.")
    normalized = check_new_address(address)
    if invitation.role == Invitation.Role.PARTICIPANT:
        if participant.user_id is not None:
            raise InvitationUnusable("accepted")
        user = User(
            email=normalized,
            given_name=participant.given_name,
            family_name=participant.family_name,
            role=User.Role.PARTICIPANT,
            timezone=participant.timezone,
        )
    else:
        user = User(
            email=normalized,
            given_name=invitation.given_name,
            family_name=invitation.family_name,
            role=User.Role.GUARDIAN,
            timezone=participant.timezone,
        )
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    details: dict[str, str] = {"user": str(user.code)}
    if invitation.role == Invitation.Role.PARTICIPANT:
        participant.user = user
        participant.save(update_fields=["user", "updated_at"])
    else:
        link = GuardianLink.objects.create(
            participant=participant, user=user, relationship=invitation.relationship
        )
        details["guardian_link"] = str(link.code)
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    _audit("consent.invitation_accepted", invitation, acting_user=user, **details)
    return user


@transaction.atomic
def revoke_guardian_link(link: GuardianLink, *, acting_user: User) -> GuardianLink:
    """The guardian's portal stops showing this participant at once. Their account stays
    (it may look after a sibling) but opens nothing without a link."""
    link = (
        GuardianLink.objects.select_for_update(of=("self",))
        .select_related("participant", "user")
        .get(pk=link.pk)
    )
    if link.revoked_at is not None:
        raise InvitationError("This guardian's access was already ended.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    record(
        "consent.guardian_access_revoked",
        acting_user=acting_user,
        participant=link.participant,
        target=link,
        details={"guardian_link": str(link.code), "user": str(link.user.code)},
    )
    return link
