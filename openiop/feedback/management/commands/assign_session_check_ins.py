from typing import Any

from django.core.management.base import BaseCommand

from openiop.feedback.actions import assign_due_check_ins


class Command(BaseCommand):
    help = (
        "Assign the session check-in to everyone who attended a session that has ended "
        "(idempotent; run every minute or so, beside escalate_overdue)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = assign_due_check_ins()
        if options["verbosity"] > 1 or count:
            self.stdout.write(f"Assigned {count} session check-ins.")
