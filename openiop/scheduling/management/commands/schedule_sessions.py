from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from openiop.lib.recurrence import RecurrenceError, get_zone
from openiop.programs.models import Group
from openiop.scheduling import actions


class Command(BaseCommand):
    help = "Create every active group's template sessions for the coming weeks (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--weeks", type=int, default=12)

    def handle(self, *args: Any, **options: Any) -> None:
        created = 0
        groups = Group.objects.filter(is_active=True, track__is_active=True).select_related(
            "track__program"
        )
        for group in groups:
            zone = get_zone(group.track.program.timezone)
            today = timezone.now().astimezone(zone).date()
            try:
                created += actions.generate_group_sessions(
                    group, first_day=today, last_day=today + timedelta(weeks=options["weeks"])
                )
            except RecurrenceError as error:
                # One group's bad template must not stop the others; its code is in the log.
                self.stderr.write(f"Group {group.code}: {error}")
        self.stdout.write(f"Created {created} sessions.")
