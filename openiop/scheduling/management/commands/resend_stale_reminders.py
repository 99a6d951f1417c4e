"""Send the session reminders a dead worker left unsent, claimed or not (run every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.scheduling import reminders


class Command(BaseCommand):
    help = (
        "Send session reminders and cancellation notices whose worker died: claimed and left "
        "unsent for 2 minutes (sent with the same idempotency key), or never claimed 2 "
        "minutes after they were due (the job runs again), while the session is still ahead."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders.sweep()
        self.stdout.write(f"Re-sent {sent} reminder(s).")
