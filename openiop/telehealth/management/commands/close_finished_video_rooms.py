from typing import Any

from django.core.management.base import BaseCommand

from openiop.telehealth import actions


class Command(BaseCommand):
    help = "Close video rooms whose session has ended (run every minute from a timer)."

    def handle(self, *args: Any, **options: Any) -> None:
        closed = actions.close_finished_rooms()
        self.stdout.write(f"Closed {closed} room(s).")
