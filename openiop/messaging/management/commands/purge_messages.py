from typing import Any

from django.core.management.base import BaseCommand

from openiop.messaging.threads_actions import purge_expired


class Command(BaseCommand):
    help = "Delete messages older than each program's retention period (run nightly)."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_expired()
        self.stdout.write(f"Purged {sum(purged.values())} messages in {len(purged)} programs.")
