"""The team's free text at rest: encrypted with the site keyring (`manage.py rotate_keys`
re-encrypts it with the other secrets; the columns are registered in `MessagingConfig.ready`)."""

from openiop.accounts.encryption import keyring


def encrypt(text: str) -> str:
    return keyring().encrypt(text) if text else ""


def decrypt(value: str | None) -> str:
    return keyring().decrypt(value) if value else ""
