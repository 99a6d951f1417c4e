import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from openiop.telehealth import process


class Command(BaseCommand):
    help = "Write the Janus configuration and run Janus in the foreground (demo, development)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", default=str(Path(settings.VAR_DIR) / "janus"))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("write_janus_config", dir=options["dir"], stdout=self.stdout)
        argv = process.command(options["dir"])
        # Replaces this process, so a service manager or `kill` reaches Janus itself.
        os.execv(argv[0], argv)  # noqa: S606 (fixed argv, no shell)
