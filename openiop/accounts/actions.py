from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.db import transaction

from openiop.accounts.encryption import ENCRYPTED_DATA_KEYS, keyring, secret_values, transform_data
from openiop.audit.actions import record


@dataclass(frozen=True)
class RotationResult:
    key_id: str
    rotated: int
    already_current: int


def rotate_encryption_keys(*, acting_user: Any) -> RotationResult:
    """Re-encrypt every stored secret under the keyring's first key.

    Steps, one authenticator at a time:
    1. Lock the row (a recovery code being used at the same moment rewrites `data` too, and
       must not be lost).
    2. Skip it when every secret is already on the current key.
    3. Decrypt with the key its id names, encrypt with the current key, save, commit.
    Each row commits on its own, so a run stopped half-way leaves rows that are each wholly on
    the old or the new key, and running it again finishes the rest.
    """
    ring = keyring()
    rotated = already_current = 0
    candidates = Authenticator.objects.filter(type__in=ENCRYPTED_DATA_KEYS).order_by("pk")
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            authenticator = Authenticator.objects.select_for_update().filter(pk=pk).first()
            if authenticator is None:
                continue
            values = secret_values(authenticator.type, authenticator.data)
            if all(ring.is_current(value) for value in values):
                already_current += 1
                continue
            authenticator.data = transform_data(
                authenticator.type, authenticator.data, ring.reencrypt
            )
            authenticator.save(update_fields=["data"])
            rotated += 1
    result = RotationResult(
        key_id=ring.current_id, rotated=rotated, already_current=already_current
    )
    record(
        "accounts.encryption_keys_rotated",
        acting_user=acting_user,
        details={"key_id": ring.current_id, "rotated": rotated, "already_current": already_current},
    )
    return result
