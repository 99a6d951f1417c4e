"""Re-send session reminders a dead worker claimed and never sent (run every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.scheduling import reminders


class Command(BaseCommand):
    help = (
        "Send session reminders and cancellation notices whose worker died after claiming "
        "them (left unsent for 2 minutes), with the same idempotency key, while the session "
        "is still ahead."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders.redeliver_stale()
        self.stdout.write(f"Re-sent {sent} reminder(s).")
