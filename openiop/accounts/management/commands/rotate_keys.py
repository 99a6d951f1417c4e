from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.accounts.actions import rotate_encryption_keys
from openiop.lib.crypto import DecryptionError


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (TOTP secrets, recovery-code seeds, psychotherapy notes) "
        "under the first key of OPENIOP_ENCRYPTION_KEYS. Safe to run again: rows already on "
        "that key are skipped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = rotate_encryption_keys(acting_user=None)
        except DecryptionError as error:
            raise CommandError(
                f"{error} Put that key back in the keyring, after the first one, and run "
                "rotate_keys again: rows done so far stay re-encrypted, and it carries on."
            ) from None
        self.stdout.write(
            f"Key {result.key_id}: {result.rotated} re-encrypted, "
            f"{result.already_current} already on it."
        )
        for count in result.counts:
            self.stdout.write(
                f"  {count.label}: {count.rotated} re-encrypted, "
                f"{count.already_current} already on it."
            )
