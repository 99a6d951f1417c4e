from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.audit.chain import verify
from openiop.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit trail's hash chain and name the first row that was changed or removed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            help=(
                "A head printed by an earlier run and kept outside the database. Rows cut from "
                "the end of the trail leave no gap; the anchor catches them."
            ),
        )

    def handle(self, *args: Any, anchor: str | None = None, **options: Any) -> None:
        events = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
        checked, bad = verify(events)
        if bad is not None:
            raise CommandError(
                f"Audit trail broken at row {bad.seq}: {bad.reason} "
                f"({checked} rows verified before it)."
            )
        if anchor:
            seq_text, _, expected_hash = anchor.partition(":")
            seq = int(seq_text)
            row = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
            if row is None:
                raise CommandError(f"Audit trail broken at row {seq}: the anchored row is missing.")
            if row != expected_hash:
                raise CommandError(
                    f"Audit trail broken at row {seq}: it differs from the anchored hash."
                )
        head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        self.stdout.write(f"Audit trail intact: {checked} rows verified.")
        if head:
            self.stdout.write(f"Head (keep it elsewhere for --anchor): {head[0]}:{head[1]}")
