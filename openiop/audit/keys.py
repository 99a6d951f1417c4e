"""The audit trail's HMAC keys. They live in the environment or a key file, never in the
database, so a database reader cannot sign a row (docs/audit.md)."""

from django.conf import settings


def signing_key() -> tuple[str, bytes]:
    """The key id and key that sign new rows and checkpoints: the first one configured."""
    key_id, secret = next(iter(settings.OPENIOP_AUDIT_KEYS.items()))
    return key_id, secret.encode()


def key_for(key_id: str) -> bytes | None:
    """The key with this id, or None when it is not configured (retired, or forged id)."""
    secret = settings.OPENIOP_AUDIT_KEYS.get(key_id)
    return secret.encode() if secret else None
