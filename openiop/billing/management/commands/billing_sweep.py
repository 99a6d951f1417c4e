from typing import Any

from django.core.management.base import BaseCommand

from openiop.billing import actions


class Command(BaseCommand):
    help = "Raise billing worklist lines for authorizations about to run out or expire (daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = actions.sweep_alerts()
        self.stdout.write(f"{result['raised']} raised, {result['resolved']} resolved")
