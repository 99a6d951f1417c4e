from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.db import transaction

from openiop.accounts.encryption import (
    ENCRYPTED_DATA_KEYS,
    EncryptedField,
    encrypted_fields,
    keyring,
    secret_values,
    transform_data,
)
from openiop.audit.actions import record
from openiop.lib.crypto import Keyring


@dataclass(frozen=True)
class RotationCount:
    label: str
    rotated: int
    already_current: int


@dataclass(frozen=True)
class RotationResult:
    key_id: str
    counts: tuple[RotationCount, ...]

    @property
    def rotated(self) -> int:
        return sum(count.rotated for count in self.counts)

    @property
    def already_current(self) -> int:
        return sum(count.already_current for count in self.counts)


def rotate_encryption_keys(*, acting_user: Any) -> RotationResult:
    """Re-encrypt every stored secret under the keyring's first key: MFA secrets, then each
    column another app registered (`register_encrypted_field`), e.g. psychotherapy notes.

    Steps, one row at a time:
    1. Lock the row (a recovery code being used at the same moment rewrites `data` too, and
       must not be lost; an author saving a note rewrites its text).
    2. Skip it when every secret is already on the current key.
    3. Decrypt with the key its id names, encrypt with the current key, save, commit.
    Each row commits on its own, so a run stopped half-way leaves rows that are each wholly on
    the old or the new key, and running it again finishes the rest.
    """
    ring = keyring()
    counts = [_rotate_authenticators(ring)]
    counts.extend(_rotate_field(ring, entry) for entry in encrypted_fields())
    result = RotationResult(key_id=ring.current_id, counts=tuple(counts))
    record(
        "accounts.encryption_keys_rotated",
        acting_user=acting_user,
        details={
            "key_id": ring.current_id,
            "rotated": result.rotated,
            "already_current": result.already_current,
        },
    )
    return result


def _rotate_authenticators(ring: Keyring) -> RotationCount:
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
    return RotationCount("MFA secrets", rotated, already_current)


def _rotate_field(ring: Keyring, entry: EncryptedField) -> RotationCount:
    """One registered column. An `update()` writes the new value alone: the row's other
    columns (an edit counter, "last changed") stay as they were, as its text does."""
    manager = entry.model._default_manager
    rotated = already_current = 0
    for pk in manager.order_by("pk").values_list("pk", flat=True).iterator():
        with transaction.atomic():
            row = manager.select_for_update().filter(pk=pk)
            value = row.values_list(entry.field, flat=True).first()
            if value is None:
                continue
            if ring.is_current(value):
                already_current += 1
                continue
            row.update(**{entry.field: ring.reencrypt(value)})
            rotated += 1
    return RotationCount(entry.label, rotated, already_current)


def choose_language(user: Any, language: str) -> bool:
    """Store the language `user` reads OpenIOP in; False when it was already theirs.

    The caller has checked that `language` is one of settings.LANGUAGES.
    """
    if user.language == language:
        return False
    previous = user.language
    with transaction.atomic():
        user.language = language
        user.save(update_fields=["language"])
        record(
            "accounts.language_chosen",
            acting_user=user,
            target=user,
            details={"from": previous, "to": language},
        )
    return True
