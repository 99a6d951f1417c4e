from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openiop.audit import checkpoints as checkpoints_module
from openiop.audit.chain import verify
from openiop.audit.keys import key_for
from openiop.audit.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check every row's keyed hash and link, and every checkpoint kept outside the database; "
        "name the first row that was changed or removed, then checkpoint the head."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            help="A head printed by an earlier run and kept outside the database.",
        )
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            action="append",
            default=[],
            help=(
                "Also check the checkpoints in this file: a copy kept off the host, or a syslog "
                "file whose lines carry them. Repeatable."
            ),
        )

    def handle(
        self, *args: Any, anchor: str | None = None, checkpoints: list[str], **options: Any
    ) -> None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
        checked, bad = verify(events, key_for)
        if bad is not None:
            raise CommandError(
                f"Audit trail broken at row {bad.seq}: {bad.reason} "
                f"({checked} rows verified before it)."
            )
        if anchor:
            self.check_anchor(anchor)
        for path in self.checkpoint_files(checkpoints):
            matched, problem = checkpoints_module.check_file(path)
            if problem is not None:
                raise CommandError(problem)
            self.stdout.write(f"Checkpoints in {path}: {matched} match the trail.")
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        self.stdout.write(f"Audit trail intact: {checked} rows verified.")
        if head:
            self.stdout.write(f"Head (keep it elsewhere for --anchor): {head[0]}:{head[1]}")
            if settings.OPENIOP_AUDIT_CHECKPOINT_SINKS:
                checkpoints_module.write(head[0], head[1])
                sinks = ", ".join(settings.OPENIOP_AUDIT_CHECKPOINT_SINKS)
                self.stdout.write(f"Checkpoint of the head written to: {sinks}.")

    def checkpoint_files(self, extra: list[str]) -> list[Path]:
        paths = [Path(p) for p in extra]
        if "file" in settings.OPENIOP_AUDIT_CHECKPOINT_SINKS:
            configured = Path(settings.OPENIOP_AUDIT_CHECKPOINT_FILE)
            if configured.exists():
                paths.insert(0, configured)
            else:
                self.stderr.write(
                    f"No checkpoint file at {configured} yet: this run starts it. Without "
                    "checkpoints, rows cut from the end of the trail cannot be detected."
                )
        for path in paths:
            if not path.exists():
                raise CommandError(f"Checkpoint file {path} does not exist.")
        return paths

    def check_anchor(self, anchor: str) -> None:
        seq_text, _, expected_hash = anchor.partition(":")
        seq = int(seq_text)
        row = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
        if row is None:
            raise CommandError(f"Audit trail broken at row {seq}: the anchored row is missing.")
        if row != expected_hash:
            raise CommandError(
                f"Audit trail broken at row {seq}: it differs from the anchored hash."
            )
