from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openiop.telehealth import janus_config, process


class Command(BaseCommand):
    help = "Write Janus's configuration folder from OpenIOP's settings (never /etc/janus)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dir", default=str(Path(settings.VAR_DIR) / "janus"))

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.TELEHEALTH_ENABLED:
            raise CommandError("Set JANUS_ADMIN_KEY and JANUS_TOKEN_SECRET (or their _FILE) first.")
        try:
            path = janus_config.write_config(janus_config.from_settings(), options["dir"])
        except janus_config.JanusConfigError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Wrote {path.parent}")
        self.stdout.write("Start Janus with: " + " ".join(process.command(path.parent)))
