"""The privacy officers' notice of an emergency ("break-the-glass") access.

One email per officer, sent once per grant, saying only that an emergency access was used:
no name, no program, no reason (DESIGN.md rule 5). The report behind the sign-in has the rest.
The job locks the grant (SKIP LOCKED) while `officers_notified_at` is empty, sends, and stamps
it in the same transaction; a retry after a crash sends again with the same idempotency keys.

With no privacy officer flagged, the active administrators are told instead, so an emergency
access never goes unseen.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import BreakGlassGrant

SUBJECT = "An emergency access to a record was used"
BODY = (
    "An emergency access to a record was used — sign in to review.\n\n"
    "Open the emergency access report in {site}. This message holds no other details.\n"
)


def privacy_officers() -> QuerySet[User]:
    officers = User.objects.filter(is_active=True, privacy_officer=True).exclude(
        role=User.Role.PARTICIPANT
    )
    if officers.exists():
        return officers
    return User.objects.filter(is_active=True, role=User.Role.ADMINISTRATOR)


def notify_privacy_officers(grant_id: int) -> int:
    """Send the notice of one grant; returns how many emails went."""
    with transaction.atomic():
        grant = (
            BreakGlassGrant.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=grant_id, officers_notified_at__isnull=True)
            .select_related("participant")
            .first()
        )
        if grant is None:
            return 0
        sent = 0
        for officer in privacy_officers().exclude(email="").order_by("id"):
            EmailMessage(
                SUBJECT,
                BODY.format(site=settings.SITE_NAME),
                settings.DEFAULT_FROM_EMAIL,
                [officer.email],
                headers={"X-OpenIOP-Idempotency-Key": f"{grant.code}:{officer.code}"},
            ).send()
            sent += 1
        grant.officers_notified_at = timezone.now()
        grant.save(update_fields=["officers_notified_at"])
        record(
            "break_glass.officers_notified",
            acting_user=None,
            participant=grant.participant,
            target=grant,
            details={"grant": str(grant.code), "notified": sent},
        )
        return sent
