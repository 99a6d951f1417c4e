"""A real PostgreSQL streaming replica behind the router: reads, read-your-writes, lag, loss.

    .venv/bin/python bench/replica.py

Starts two throwaway PostgreSQL clusters from the installed binaries (as the postgres user when
run as root): a primary on port 55440 and a standby made with `pg_basebackup -R` on 55441,
streaming from it. Points OpenIOP at both (DATABASE_URL, DATABASE_REPLICA_URL), migrates, loads
a small demo, then, in-process with Django's test client as the program's director:

1. the operations board: how many of its queries ran on the standby;
2. read-your-writes: after a POST, the next board reads the primary only;
3. lag: replay paused on the standby while the primary keeps writing; the router notices the
   lag (REPLICA_MAX_LAG_SECONDS) and the board reads the primary; replay resumed, back again;
4. loss: the standby stopped; the board still answers (200) from the primary.

Prints one JSON report; exits non-zero if any step does not hold.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pgcluster import as_owner, ctl, fresh_folder, init, pg_bin, stop_if_running  # noqa: E402

BASE = Path("/tmp/openiop-replica-bench")
PRIMARY, STANDBY = 55440, 55441


def start_clusters() -> None:
    stop_clusters()
    fresh_folder(BASE)
    primary = BASE / "primary"
    init(
        primary,
        settings="wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n",
        hba="host replication all 127.0.0.1/32 trust\n",
    )
    ctl(primary, PRIMARY)
    as_owner(
        str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY), "-U", "postgres",
        "-D", str(BASE / "standby"), "-R", "-X", "stream",
    )  # fmt: skip
    ctl(BASE / "standby", STANDBY)


def stop_clusters() -> None:
    for name in ("standby", "primary"):
        stop_if_running(BASE / name)


def main() -> int:
    start_clusters()
    try:
        return run()
    finally:
        stop_clusters()


def run() -> int:
    import psycopg

    with psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{PRIMARY}/postgres", autocommit=True
    ) as c:
        c.execute("CREATE DATABASE openiop")
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PRIMARY}/openiop"
    os.environ["DATABASE_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{STANDBY}/openiop"
    os.environ["REPLICA_MAX_LAG_SECONDS"] = "2"
    os.environ["REPLICA_STICKY_SECONDS"] = "5"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("OPENIOP_MODE", "development")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.audit.actions import record
    from openiop.core import demo
    from openiop.lib import dbrouter

    call_command("migrate", verbosity=0)
    program = demo.load(participants=30, weeks=4)
    director = User.objects.filter(role=User.Role.PROGRAM_DIRECTOR).order_by("id").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key_for(director)
    board = f"/board/{program.code}/"
    replica = connections[dbrouter.REPLICA]

    def board_on_replica() -> tuple[int, int]:
        with CaptureQueriesContext(replica) as seen:
            status = client.get(board).status_code
        return status, len(seen)

    report: dict[str, object] = {}
    time.sleep(1)  # the standby replays the demo
    dbrouter.forget_replica_health()
    status, n = board_on_replica()
    report["board_queries_on_standby"] = n
    ok = status == 200 and n > 3

    client.post("/language/", {"language": "en"})
    status, n = board_on_replica()
    report["after_a_write_queries_on_standby"] = n
    ok &= status == 200 and n == 0
    time.sleep(5.5)  # REPLICA_STICKY_SECONDS
    dbrouter.forget_replica_health()
    status, n = board_on_replica()
    report["after_the_sticky_window_queries_on_standby"] = n
    ok &= n > 3

    with psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{STANDBY}/openiop", autocommit=True
    ) as s:
        s.execute("SELECT pg_wal_replay_pause()")
        began = time.monotonic()
        lagging_at = None
        while time.monotonic() - began < 20:
            record("program.viewed", acting_user=director)  # the primary keeps writing
            dbrouter.forget_replica_health()
            if dbrouter.ReplicaRouter().db_for_read(None) is None and lagging_at is None:
                lagging_at = time.monotonic() - began
                break
            time.sleep(0.5)
        with dbrouter.replica_reads():
            status, n = board_on_replica()
        report["replay_paused_lag_noticed_after_s"] = (
            round(lagging_at, 1) if lagging_at is not None else None
        )
        report["while_lagging_queries_on_standby"] = n - 1 if n else 0  # minus the lag check
        ok &= lagging_at is not None and status == 200 and n <= 1
        s.execute("SELECT pg_wal_replay_resume()")
    time.sleep(1)
    dbrouter.forget_replica_health()
    status, n = board_on_replica()
    report["replay_resumed_queries_on_standby"] = n
    ok &= n > 3

    replica.close()
    ctl(BASE / "standby", STANDBY, "stop")
    dbrouter.forget_replica_health()
    began = time.perf_counter()
    status = client.get(board).status_code  # nothing to count on a standby that is gone
    report["standby_stopped_board_status"] = status
    report["standby_stopped_board_ms"] = round((time.perf_counter() - began) * 1000)
    ok &= status == 200
    report["passed"] = bool(ok)
    print(json.dumps(report, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
