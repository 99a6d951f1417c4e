"""Reminder preferences and the secret calendar-feed tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant
from openiop.scheduling.models import CalendarFeed, ReminderPreference


@transaction.atomic
def set_reminder_preference(
    participant: Participant, *, sms: bool, email: bool, acting_user: User
) -> ReminderPreference:
    preference, _ = ReminderPreference.objects.update_or_create(
        participant=participant, defaults={"sms": sms, "email": email}
    )
    record(
        "scheduling.reminder_preference_changed",
        acting_user=acting_user,
        participant=participant,
        target=preference,
        details={"sms": sms, "email": email},
    )
    return preference


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_calendar_feed(user: User, *, acting_user: User) -> str:
    """A new secret feed token for `user` (any older feed stops working); returns the token.

    Only its hash is stored, so the token is shown once.
    """
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=user, token_hash=hash_feed_token(token))
    record(
        "scheduling.calendar_feed_created",
        acting_user=acting_user,
        target=feed,
        details={"replaced": revoked},
    )
    return token


@transaction.atomic
def revoke_calendar_feed(user: User, *, acting_user: User) -> int:
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    record(
        "scheduling.calendar_feed_revoked", acting_user=acting_user, details={"revoked": revoked}
    )
    return revoked
