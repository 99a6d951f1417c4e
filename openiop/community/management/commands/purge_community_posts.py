"""Delete peer-space threads older than each program's retention (run daily)."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.community import actions
from openiop.programs.models import Program


class Command(BaseCommand):
    help = "Delete peer-space threads quiet for longer than their program's retention."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = sum(actions.purge_expired(program) for program in Program.objects.all())
        if options["verbosity"]:
            self.stdout.write(f"{removed} posts deleted.")
