"""Which stored values are encrypted, and with which keyring.

allauth keeps each authenticator's secrets in its JSON `data`: a TOTP secret, and a recovery
codes seed (or, for codes carried over from django-allauth's predecessors, the codes
themselves). WebAuthn data holds a public key only and stays as it is.

Apps above this one keep encrypted text columns of their own (psychotherapy notes): they
register each column with `register_encrypted_field` in their AppConfig.ready, so
`manage.py rotate_keys` re-encrypts them without this app importing theirs.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models

from openiop.lib.crypto import Keyring

# Authenticator type → the keys of `data` that hold secrets (a string or a list of strings).
ENCRYPTED_DATA_KEYS = {
    "totp": ("secret",),
    "recovery_codes": ("seed", "migrated_codes"),
}


def keyring() -> Keyring:
    return settings.OPENIOP_ENCRYPTION_KEYRING


def secret_values(authenticator_type: str, data: dict[str, Any]) -> list[str]:
    values: list[str] = []
    for key in ENCRYPTED_DATA_KEYS.get(authenticator_type, ()):
        value = data.get(key)
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, list):
            values.extend(value)
    return values


def transform_data(
    authenticator_type: str, data: dict[str, Any], transform: Callable[[str], str]
) -> dict[str, Any]:
    """A copy of `data` with every secret value passed through `transform`."""
    result = dict(data)
    for key in ENCRYPTED_DATA_KEYS.get(authenticator_type, ()):
        value = result.get(key)
        if isinstance(value, str):
            result[key] = transform(value)
        elif isinstance(value, list):
            result[key] = [transform(item) for item in value]
    return result


@dataclass(frozen=True)
class EncryptedField:
    """A text column that holds one `ID$token` value per row."""

    model: type[models.Model]
    field: str
    # What the rotation reports it as, in the plural: "psychotherapy notes".
    label: str


_encrypted_fields: list[EncryptedField] = []


def register_encrypted_field(model: type[models.Model], field: str, *, label: str) -> None:
    """Called by the app that owns the column (in its AppConfig.ready)."""
    entry = EncryptedField(model=model, field=field, label=label)
    if entry not in _encrypted_fields:
        _encrypted_fields.append(entry)


def encrypted_fields() -> list[EncryptedField]:
    return list(_encrypted_fields)
