from typing import Any

from django.core.management.base import BaseCommand

from openiop.scheduling import actions


class Command(BaseCommand):
    help = (
        "After a tzdata update, move upcoming sessions back to their stored local wall time "
        "(their UTC instants are recomputed from local time + zone; reminders follow)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        moved, refused = actions.relocalize_sessions(acting_user=None)
        for code, message in refused:
            self.stderr.write(f"Session {code}: {message}")
        self.stdout.write(f"Moved {moved} sessions; {len(refused)} need a person.")
