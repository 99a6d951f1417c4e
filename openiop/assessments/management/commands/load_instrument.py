from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from openiop.assessments import actions
from openiop.assessments.definitions import DefinitionError


class Command(BaseCommand):
    help = (
        "Load an instrument definition file (FHIR Questionnaire JSON with OpenIOP scoring; "
        "see docs/instruments.md). The whole file is validated before anything is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--by",
            required=True,
            help="Email of the administrator loading the file (recorded in the audit trail).",
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        user = get_user_model().objects.filter(email__iexact=options["by"]).first()
        if user is None or not user.is_staff_member:
            raise CommandError(f"No member of staff with the email {options['by']!r}.")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path.name}: cannot read file ({exc})") from exc
        try:
            row, created = actions.load_instrument(text, source=path.name, acting_user=user)
        except (DefinitionError, actions.VersionConflict) as exc:
            raise CommandError(str(exc)) from exc
        verb = "Loaded" if created else "Already loaded:"
        self.stdout.write(f"{verb} {row.title} ({row.key} {row.version}).")
