"""Encrypt the TOTP secrets and recovery-code seeds stored in plaintext until now.

Forward encrypts every value that carries no key id under the current key; backward writes
plaintext again (for a downgrade to code that cannot read ciphertext).
"""

from django.conf import settings
from django.db import migrations

from openiop.lib.crypto import key_id_of

# Frozen copy of openiop.accounts.encryption.ENCRYPTED_DATA_KEYS as of this migration.
ENCRYPTED_DATA_KEYS = {
    "totp": ("secret",),
    "recovery_codes": ("seed", "migrated_codes"),
}


def _rewrite(apps, transform):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=ENCRYPTED_DATA_KEYS).iterator():
        data = dict(authenticator.data)
        for key in ENCRYPTED_DATA_KEYS[authenticator.type]:
            value = data.get(key)
            if isinstance(value, str):
                data[key] = transform(value)
            elif isinstance(value, list):
                data[key] = [transform(item) for item in value]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_plaintext(apps, schema_editor):
    keyring = settings.OPENIOP_ENCRYPTION_KEYRING
    _rewrite(apps, lambda value: value if key_id_of(value) else keyring.encrypt(value))


def decrypt_to_plaintext(apps, schema_editor):
    keyring = settings.OPENIOP_ENCRYPTION_KEYRING
    _rewrite(apps, lambda value: keyring.decrypt(value) if key_id_of(value) else value)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_plaintext, decrypt_to_plaintext)]
