from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from openiop.audit import checkpoints
from openiop.audit.chain import GENESIS_HASH, hashed_fields, row_hash
from openiop.audit.context import current_origin
from openiop.audit.details import check_details
from openiop.audit.keys import signing_key
from openiop.audit.models import AuditEvent

# Any constant works, as long as every writer of the trail takes the same lock.
AUDIT_CHAIN_LOCK_ID = 0x0A0D17


def _lock_chain() -> None:
    """Serialise appends: two writers reading the same head would fork the chain."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AUDIT_CHAIN_LOCK_ID])
    # SQLite (the demo) allows one writer at a time already.


def record(
    event_type: str,
    *,
    acting_user: Any,
    participant: Any = None,
    target: Any = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the trail, in the caller's transaction.

    `details` must hold ids, codes, counts and field names only, never PHI or clinical
    content: check_details() refuses a key missing from its allow-list, or a value that is not
    a code (free text, an email address, a phone number).
    """
    check_details(details or {})
    key_id, key = signing_key()
    origin = current_origin.get()
    actor = acting_user if acting_user is not None and acting_user.is_authenticated else None
    with transaction.atomic():
        _lock_chain()
        head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
        event = AuditEvent(
            seq=(head["seq"] + 1) if head else 1,
            occurred_at=timezone.now(),
            event_type=event_type,
            actor=actor,
            participant=participant,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(getattr(target, "code", None) or target.pk) if target is not None else "",
            outcome=outcome,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            details=details or {},
            key_id=key_id,
            prev_hash=head["hash"] if head else GENESIS_HASH,
        )
        event.hash = row_hash(hashed_fields(event), event.prev_hash, key)
        event.save(force_insert=True)
        checkpoints.after_append(event)
    return event
