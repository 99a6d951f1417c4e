"""Back up the 2,000-participant demo and run the restore drill on it (issue 14, item 7).

    .venv/bin/python bench/restore_drill.py [--participants 2000] [--weeks 52] [--reuse]
    .venv/bin/python bench/restore_drill.py --sqlite var/bench-restore.sqlite3

Loads `load_demo --participants N --weeks W` into a fresh PostgreSQL database
`openiop_bench_restore` on DATABASE_URL's server (or into a SQLite file with --sqlite, the
demo's own engine), then times `manage.py backup` and `manage.py restore_drill` and prints the
rows, the audit rows verified, the dump's size and both durations. Exits non-zero if the drill
fails.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_restore"

from bench.support import setup_django_on  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--sqlite", metavar="FILE", help="Use this SQLite file instead.")
    parser.add_argument("--reuse", action="store_true", help="Keep a previous run's data.")
    args = parser.parse_args()

    if args.sqlite:
        path = Path(args.sqlite).resolve()
        if not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        os.environ.setdefault("OPENIOP_MODE", "development")
        import django

        django.setup()
    else:
        setup_django_on(DATABASE, reuse=args.reuse)
    from django.core.management import call_command

    from openiop.programs.models import Program

    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    if not (args.reuse and Program.objects.exists()):
        call_command(
            "load_demo",
            participants=args.participants,
            weeks=args.weeks,
            stdout=StringIO(),
        )
    loaded_s = time.perf_counter() - began

    with tempfile.TemporaryDirectory(prefix="openiop-bench-backup-") as tmp:
        folder = Path(tmp) / "backup"
        began = time.perf_counter()
        call_command("backup", str(folder), stdout=StringIO())
        backup_s = time.perf_counter() - began
        manifest = json.loads((folder / "manifest.json").read_text())
        dump_bytes = (folder / manifest["database_file"]).stat().st_size
        out = StringIO()
        began = time.perf_counter()
        try:
            call_command("restore_drill", str(folder), stdout=out)
        except Exception as exc:
            print(f"restore drill FAILED: {exc}")
            return 1
        drill_s = time.perf_counter() - began

    figures = {
        "engine": manifest["engine"],
        "participants": args.participants,
        "weeks": args.weeks,
        "tables": len(manifest["tables"]),
        "rows": sum(manifest["tables"].values()),
        "audit_rows": manifest["tables"]["audit_auditevent"],
        "document_files": manifest["documents"]["files"],
        "dump_mb": round(dump_bytes / 1e6, 1),
        "load_s": round(loaded_s, 1),
        "backup_s": round(backup_s, 1),
        "restore_drill_s": round(drill_s, 1),
    }
    print(json.dumps(figures, indent=2))
    print(out.getvalue().strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
