"""Climb overdue safety alerts and re-send stuck notices (run every minute)."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.safety import sweep


class Command(BaseCommand):
    help = (
        "Escalate open safety alerts whose acknowledgement deadline passed (or whose holder "
        "was deactivated) and re-send escalation notices a dead worker left behind."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep.run()
        self.stdout.write(
            f"Escalated {result['escalated']} alert(s); re-sent {result['redelivered']} notice(s)."
        )
