"""The scale-out rig: the whole distributed deployment on one machine, driven by Locust (issue 14).

    .venv/bin/python bench/rig.py [--participants 200] [--users 50] [--seconds 40]
        [--workers db|rq] [--video] [--keep]

Starts, under one throwaway folder (/tmp/openiop-rig-*), on loopback only:

- PostgreSQL primary (port 18420) and a streaming replica made with `pg_basebackup -R`
  (18421), from Debian's binaries (bench/pgcluster.py); database `openiop_rig`;
- a private Redis (redis-server on 18430, no persistence);
- two web nodes (gunicorn, 2 sync workers each, 18411 and 18412) with DATABASE_URL (primary),
  DATABASE_REPLICA_URL (replica), REDIS_URL and JANUS_NODES;
- HAProxy in front (18400), health checks on /health/ready/, retries and redispatch
  (bench/web_failover.py's configuration);
- two task workers: `manage.py db_worker` (default) or, with `--workers rq`, the RQ command
  (`--rq-command`, with TASKS_BACKEND=`--rq-backend` and REDIS_URL);
- two Janus servers, each in a private network namespace of its own (oj-rig-a, oj-rig-b; the
  namespace has one bridge with 10.99.0.1 for ICE, openiop/telehealth/tests/lab.py), reached by
  the web nodes through forwarders on 18441 and 18442.

Loads the demo (`--participants`, `--weeks`), then runs Locust headless four times: the hello
page (/health/, no think time) and the mixed signed-in traffic (bench/locustfile.py, with think
times), each against one web node directly and against HAProxy over two nodes. Prints a table:
per page, req/s, p50, p95 and failures for one node and for two. With `--video`, in each of
two video sessions (`--video-rooms`) a clinician opens the room and admits a participant,
through HAProxy, in headless Chromium (fake camera and microphone) inside namespace a, which
reaches both Janus nodes; the report says, per room, whether media flowed both ways and which
node holds the room.

Everything is stopped on exit, on Ctrl-C and on errors (process groups, pg_ctl, netns del).
Needs root (namespaces; PostgreSQL runs as the postgres user), haproxy, redis-server, janus,
chromium, iproute2 and PostgreSQL (Debian packages). Exits non-zero if a request failed.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import http.client
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pgcluster import as_owner, ctl, fresh_folder, init, pg_bin, stop_if_running  # noqa: E402
from bench.web_failover import HAPROXY_CFG  # noqa: E402

FRONT = 18400
NODES = (18411, 18412)
PRIMARY, REPLICA = 18420, 18421
REDIS = 18430
JANUS = {"a": (18441, 8188), "b": (18442, 8189)}  # host forwarder, port inside the namespace
DATABASE = "openiop_rig"
# Janus a gathers ICE candidates on namespace a's bridge (lab.py's 10.99.0.1); Janus b on one
# end of a veth pair whose other end is in namespace a, where Chromium runs: browsers reach
# both nodes' media, neither node reaches the host.
MEDIA = {"a": "10.99.0.1", "b": "10.99.1.2"}
LINK_A, LINK_B = "10.99.1.1/24", "10.99.1.2/24"
LABELS = (
    "hello", "caseload", "chart", "notes list", "alert list", "week grid", "board", "Today",
    "check-in form", "check-in save", "messages",
)  # fmt: skip


def say(message: str) -> None:
    print(f"[rig {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Rig:
    """Everything started, stopped in reverse order by close()."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="openiop-rig-"))
        self.tmp.chmod(0o755)  # the postgres user enters it
        self.processes: dict[str, subprocess.Popen] = {}
        self.cleanups: list[Any] = []
        self.env: dict[str, str] = {}
        self.janus_secrets = (secrets.token_urlsafe(24), secrets.token_urlsafe(40))
        self.namespaces: dict[str, Any] = {}
        self.errors: dict[str, dict[str, int]] = {}  # Locust run -> failure -> count
        self.context: dict[str, dict[str, float]] = {}  # Locust run -> machine, replica

    # Processes ---------------------------------------------------------------------------

    def spawn(self, name: str, argv: list[str], **kwargs: Any) -> subprocess.Popen:
        log = (self.tmp / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, **kwargs,
        )  # fmt: skip
        self.processes[name] = process
        return process

    def close(self) -> None:
        # Last started, first stopped, one at a time: workers and web nodes finish with Redis
        # and PostgreSQL still there.
        for process in reversed(list(self.processes.values())):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        for cleanup in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                cleanup()
        for name in ("replica", "primary"):
            stop_if_running(self.tmp / "pg" / name)
        if self.args.keep:
            say(f"logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # PostgreSQL, Redis -------------------------------------------------------------------

    def start_postgres(self) -> None:
        fresh_folder(self.tmp / "pg")  # owned by the postgres user
        primary = self.tmp / "pg/primary"
        init(
            primary,
            settings=(
                "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n"
                "synchronous_commit = off\nmax_connections = 200\nshared_buffers = 128MB\n"
            ),
            hba="host replication all 127.0.0.1/32 trust\n",
        )
        ctl(primary, PRIMARY)
        as_owner(
            str(pg_bin() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(PRIMARY),
            "-U", "postgres", "-D", str(self.tmp / "pg/replica"), "-R", "-X", "stream",
        )  # fmt: skip
        ctl(self.tmp / "pg/replica", REPLICA)
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{PRIMARY}/postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")

    def start_redis(self) -> None:
        self.spawn(
            "redis",
            ["redis-server", "--port", str(REDIS), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.tmp)],
        )  # fmt: skip
        wait_for_port(REDIS)

    # Janus in namespaces -----------------------------------------------------------------

    def start_janus(self) -> None:
        from openiop.telehealth import janus, janus_config
        from openiop.telehealth.process import JanusProcess
        from openiop.telehealth.tests.lab import NetNamespace

        admin_key, token_secret = self.janus_secrets
        for name, (host_port, ns_port) in JANUS.items():
            ns = NetNamespace()
            ns.name = f"oj-rig-{name}"
            ns.path = f"/var/run/netns/{ns.name}"
            subprocess.run(["ip", "netns", "del", ns.name], check=False, capture_output=True)
            ns.create()
            self.cleanups.append(ns.delete)
            self.namespaces[name] = ns
            listener = socket.create_server(("127.0.0.1", host_port))
            ns._sockets.append(listener)
            ns._serve(listener, functools.partial(ns.connect, "127.0.0.1", ns_port))
            config = janus_config.JanusConfig(
                admin_key=admin_key,
                token_secret=token_secret,
                ws_ip="127.0.0.1",
                ws_port=ns_port,
                media_ip=MEDIA[name],
                rtp_port_range="20000-20999",
                debug_level=3,
            )
            janus_config.write_config(config, self.tmp / f"janus-{name}")
            if name == "b":
                self.link(self.namespaces["a"], ns)
            process = JanusProcess(self.tmp / f"janus-{name}", prefix=ns.prefix)
            process.start()
            self.cleanups.append(process.stop)
            url = f"ws://127.0.0.1:{host_port}"

            def healthy(url: str = url) -> bool:
                return janus.health(url, timeout=1.0).ok

            process.wait_ready(healthy, timeout=20)

    @staticmethod
    def link(a: Any, b: Any) -> None:
        """A veth pair between two namespaces, made inside them (no name on the host)."""
        a._sh("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b.name)
        a._sh("ip", "addr", "add", LINK_A, "dev", "va")
        a._sh("ip", "link", "set", "va", "up")
        b._sh("ip", "addr", "add", LINK_B, "dev", "vb")
        b._sh("ip", "link", "set", "vb", "up")

    # Web nodes, HAProxy, workers ---------------------------------------------------------

    def node_env(self) -> dict[str, str]:
        admin_key, token_secret = self.janus_secrets
        nodes = [
            {"name": name, "url": f"ws://127.0.0.1:{host}", "public_url": f"ws://127.0.0.1:{ns}"}
            for name, (host, ns) in JANUS.items()
        ]
        first_host, first_ns = JANUS[self.args.video_node]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PRIMARY}/{DATABASE}",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{REPLICA}/{DATABASE}",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS}/0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "OPENIOP_MODE": "development",
            "LOG_LEVEL": "ERROR",
            "JANUS_ADMIN_KEY": admin_key,
            "JANUS_TOKEN_SECRET": token_secret,
            # The pool (issue 14, item 5) reads JANUS_NODES; until it exists the single-node
            # settings below are used: every room is on one node (--video-node, default a).
            "JANUS_NODES": json.dumps(nodes),
            "JANUS_WS_IP": "127.0.0.1",
            "JANUS_WS_PORT": str(first_host),
            "JANUS_PUBLIC_URL": f"ws://127.0.0.1:{first_ns}",
            # Web nodes enqueue where the workers take from.
            "TASKS_BACKEND": (
                self.args.rq_backend
                if self.args.workers == "rq"
                else "django_tasks_db.DatabaseBackend"
            ),
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env

    def start_web(self) -> None:
        for n, port in enumerate(NODES, 1):
            self.spawn(
                f"web{n}",
                [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(self.args.gunicorn_workers), "--log-level", "warning"],
                cwd=ROOT, env=self.env,
            )  # fmt: skip
        servers = "\n".join(f"    server web{n} 127.0.0.1:{p}" for n, p in enumerate(NODES, 1))
        config = HAPROXY_CFG.format(front=FRONT, servers=servers)
        # A saturated sync worker answers the health check only after the requests queued
        # before it; without `timeout check` the whole check must fit in `inter` (500 ms), so
        # HAProxy marks busy nodes down and answers 503 (docs/deploy.md, "The scale-out rig").
        if self.args.check_timeout:
            check = f"    timeout check {self.args.check_timeout}\n"
            config = config.replace("    retries 3\n", f"    retries 3\n{check}")
        (self.tmp / "haproxy.cfg").write_text(config)
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        self.spawn("haproxy", [haproxy, "-db", "-f", str(self.tmp / "haproxy.cfg")], cwd=self.tmp)
        for port in (*NODES, FRONT):
            wait_for_ready(port)
        time.sleep(1.5)  # HAProxy's checks see both nodes up

    def start_workers(self) -> None:
        if self.args.workers == "rq":
            command = [sys.executable, *shlex.split(self.args.rq_command)]
        else:
            command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay",
                       "--no-reload", "--interval", "1"]  # fmt: skip
        for n in (1, 2):
            self.spawn(f"worker{n}", command, cwd=ROOT, env=self.env)
        time.sleep(2)
        for n in (1, 2):
            if self.processes[f"worker{n}"].poll() is not None:
                log = (self.tmp / f"worker{n}.log").read_text()[-2000:]
                raise RuntimeError(f"worker{n} exited at start:\n{log}")

    # Locust ------------------------------------------------------------------------------

    def locust(self, name: str, port: int, classes: list[str], users: int, seconds: int) -> dict:
        """One headless Locust run; its figures per page (bench/locustfile.py's RIG_RESULT)."""
        result = self.tmp / f"locust-{name}.json"
        env = {
            **os.environ,
            "RIG_USERS": str(self.tmp / "people.json"),
            "RIG_THINK": self.args.think,
            "RIG_RESULT": str(result),
        }
        argv = [
            str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"),
            "--headless", "-u", str(users), "-r", str(max(1, users // 2)), "-t", f"{seconds}s",
            "--reset-stats", "--host", f"http://127.0.0.1:{port}", "--only-summary",
            "--loglevel", "WARNING", "--stop-timeout", "5", *classes,
        ]  # fmt: skip
        say(f"locust {name}: {users} users for {seconds} s on :{port}")
        replica_before = replica_transactions()
        process = self.spawn(f"locust-{name}", argv, cwd=ROOT, env=env)
        process.wait(timeout=seconds + 120)
        self.context[name] = {
            "load_average_1min": round(os.getloadavg()[0], 1),
            "replica_transactions": replica_transactions() - replica_before - 1,
        }
        if not result.exists():
            log = (self.tmp / f"locust-{name}.log").read_text()[-2000:]
            raise RuntimeError(f"Locust wrote no figures:\n{log}")
        figures = json.loads(result.read_text())
        self.errors[name] = figures["errors"]
        return figures["pages"]  # type: ignore[no-any-return]


def replica_transactions() -> int:
    """Transactions the replica has served in the rig's database (pg_stat_database)."""
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{REPLICA}/{DATABASE}") as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [DATABASE],
        ).fetchone()
    return int(row[0]) if row else 0


def tasks_run() -> dict[str, int]:
    """Jobs in the database queue by status (the db workers' work; empty with RQ)."""
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.values("status").annotate(n=Count("id")).order_by("status")
    return {row["status"]: row["n"] for row in rows}


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def wait_for_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/ready/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"127.0.0.1:{port}/health/ready/ did not answer 200")


# The demo and who signs in ---------------------------------------------------------------


def load_demo(rig: Rig) -> None:
    for key in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "TASKS_BACKEND"):
        os.environ[key] = rig.env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["OPENIOP_MODE"] = "development"
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop, with --video
    import django

    django.setup()
    from openiop.core import demo

    migrate_or_restore(rig.env["DATABASE_URL"])
    began = time.monotonic()
    demo.load(participants=rig.args.participants, weeks=rig.args.weeks)
    say(f"demo loaded: {rig.args.participants} participants in {time.monotonic() - began:.0f} s")


def migrate_or_restore(url: str) -> None:
    """Migrate, or restore the dump of an earlier migrated database with the same migrations.

    Migrating from nothing takes minutes on a busy 2-core machine; a dump keyed by every
    migration file and uv.lock takes seconds (kept in var/rig/).
    """
    from django.core.management import call_command

    digest = hashlib.sha256((ROOT / "uv.lock").read_bytes())
    for path in sorted(ROOT.glob("openiop/**/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    cache = ROOT / "var/rig" / f"migrated-{digest.hexdigest()[:16]}.sql"
    began = time.monotonic()
    if cache.exists():
        subprocess.run(
            [str(pg_bin() / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null", url,
             "-f", str(cache)],
            check=True,
        )  # fmt: skip
        say(f"migrated database restored from {cache.name} in {time.monotonic() - began:.0f} s")
        return
    call_command("migrate", verbosity=0)
    cache.parent.mkdir(parents=True, exist_ok=True)
    for old in cache.parent.glob("migrated-*.sql"):
        old.unlink()
    subprocess.run([str(pg_bin() / "pg_dump"), "-f", str(cache), url], check=True)
    say(f"migrated in {time.monotonic() - began:.0f} s (dump kept: {cache.name})")


def write_people(rig: Rig) -> None:
    """Session keys and codes for the Locust users (bench/locustfile.py)."""
    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.assessments import actions
    from openiop.participants.models import Participant
    from openiop.programs.models import Program

    program = Program.objects.order_by("id").first()
    assert program is not None
    clinicians = []
    for user in User.objects.filter(role=User.Role.CLINICIAN).order_by("id"):
        charts = list(
            Participant.objects.filter(care_team__clinician=user)
            .order_by("id")
            .values_list("code", flat=True)[:40]
        )
        if charts:
            clinicians.append(
                {"session": session_key_for(user), "charts": [str(c) for c in charts]}
            )
    directors = [
        {"session": session_key_for(user), "program": str(program.code)}
        for user in User.objects.filter(role=User.Role.PROGRAM_DIRECTOR).order_by("id")
    ]
    gad7 = actions.shipped_instrument("gad-7")
    lead = User.objects.filter(role=User.Role.CLINICIAN).order_by("id").first()
    assert lead is not None
    participants = []
    for participant in Participant.objects.filter(program=program, user__isnull=False).order_by(
        "id"
    )[:60]:
        assignment = actions.assign_instrument(participant, gad7, acting_user=lead)
        participants.append(
            {"session": session_key_for(participant.user), "assignment": str(assignment.code)}
        )
    (rig.tmp / "people.json").write_text(
        json.dumps({"clinicians": clinicians, "directors": directors, "participants": participants})
    )
    say(
        f"signed in: {len(clinicians)} clinicians, {len(directors)} directors, "
        f"{len(participants)} participants"
    )


# Video -----------------------------------------------------------------------------------


def video(rig: Rig) -> list[dict[str, Any]]:
    """Video sessions through HAProxy, a clinician and a participant in each, real media."""
    from types import SimpleNamespace

    from playwright.sync_api import sync_playwright

    from openiop.accounts.models import User
    from openiop.participants.models import Participant
    from openiop.programs.models import Program
    from openiop.telehealth.tests.helpers import make_session
    from openiop.telehealth.tests.lab import chromium_args

    program = Program.objects.order_by("id").first()
    assert program is not None
    clinicians = list(User.objects.filter(role=User.Role.CLINICIAN).order_by("id"))
    people = list(Participant.objects.filter(program=program, user__isnull=False).order_by("-id"))
    case = SimpleNamespace(program=program)
    sessions = []
    for n in range(rig.args.video_rooms):
        title = f"Rig video group {n + 1}"
        session = make_session(case, title, [clinicians[n]], [people[n]])
        sessions.append((session, clinicians[n], people[n].user))
    # Chromium runs in namespace a, which reaches both nodes' media (MEDIA) and, through these
    # forwarders, HAProxy and both nodes' WebSockets at the addresses JANUS_NODES gives.
    ns = rig.namespaces["a"]
    ns.expose(FRONT)
    ns.expose(JANUS["b"][0], JANUS["b"][1])
    wrapper = rig.tmp / "chromium-in-netns"
    wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {ns.name} /usr/bin/chromium "$@"\n')
    wrapper.chmod(0o755)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(wrapper), headless=True, args=chromium_args(),
            chromium_sandbox=False,
        )  # fmt: skip
        try:
            return [one_room(rig, browser, *session) for session in sessions]
        finally:
            browser.close()


def one_room(rig: Rig, browser: Any, session: Any, clinician: Any, person: Any) -> dict:
    """The clinician opens the room, admits the participant; did media flow both ways?"""
    from bench.signin import session_key_for
    from openiop.telehealth.tests.test_video_pages import keep_video_on, media

    base = f"http://127.0.0.1:{FRONT}"
    join = f"{base}/video/{session.code}/join/"
    pages = {}
    for who, user in (("clinician", clinician), ("participant", person)):
        context = browser.new_context()
        context.add_cookies([{"name": "sessionid", "value": session_key_for(user), "url": base}])
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        pages[who] = page
    began = time.monotonic()
    lead = pages["clinician"]
    lead.goto(join)
    keep_video_on(lead)
    lead.get_by_role("link", name="Open the room").click()
    lead.locator("#video-status[data-status=joined]").wait_for(timeout=30_000)
    guest = pages["participant"]
    guest.goto(join)
    keep_video_on(guest)
    guest.get_by_label("Where are you right now?").fill("12 Main St, Albany")
    guest.get_by_label("State").select_option("NY")
    guest.get_by_label("A phone number").fill("555-555-0100")
    guest.get_by_label("Yes").check()
    guest.get_by_role("button", name="Go to the waiting room").click()
    guest.wait_for_url("**/waiting/")
    lead.get_by_role("button", name=f"Admit {person.given_name} {person.family_name[:1]}.").click()
    guest.wait_for_url("**/room/", timeout=30_000)

    def flowing() -> bool:
        return all(
            s["videoBytes"] > 0 and s["audioBytes"] > 0 for s in (media(p) for p in pages.values())
        )

    deadline = time.monotonic() + 90  # as the video tests allow on a busy 2-core machine
    while time.monotonic() < deadline and not flowing():
        time.sleep(0.5)
    report: dict[str, Any] = {"seconds_to_media": round(time.monotonic() - began, 1)}
    time.sleep(3)  # let some media flow
    for who, page in pages.items():
        s = media(page)
        report[f"{who}_received_video_bytes"] = s["videoBytes"]
        report[f"{who}_received_audio_bytes"] = s["audioBytes"]
    report["media_flowed"] = flowing()
    report["room_on_nodes"] = nodes_holding(rig, session.code)
    return report


def nodes_holding(rig: Rig, session_code: Any) -> list[str]:
    """The Janus nodes on which the session's room exists (asked of each node)."""
    from openiop.telehealth import janus
    from openiop.telehealth.models import Room

    room = Room.objects.get(session_code=session_code)
    admin_key, token_secret = rig.janus_secrets
    holding = []
    for name, (host_port, _) in JANUS.items():
        url = f"ws://127.0.0.1:{host_port}"
        with janus.JanusClient(url, admin_key=admin_key, token_secret=token_secret) as client:
            if client.room_exists(room.janus_room_id):
                holding.append(name)
    return holding


# Report ----------------------------------------------------------------------------------


def table(one: dict, two: dict, users: int, think: str) -> str:
    lines = [
        f"Mixed signed-in traffic: {users} Locust users, think time {think} s; hello: no think.",
        f"{'':<16}{'--- 1 node (direct) ---':>36}   {'--- 2 nodes (HAProxy) ---':>36}",
        f"{'page':<16}" + f"{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'fail':>9}" * 2,
    ]
    for label in (*LABELS, "Aggregated"):
        cells = []
        for side in (one, two):
            r = side.get(label)
            cells.append(
                f"{r['rps']:>9.1f}{r['p50']:>9.0f}{r['p95']:>9.0f}{r['failures']:>9}"
                if r
                else f"{'-':>9}" * 4
            )
        lines.append(f"{label:<16}" + "   ".join(cells))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--users", type=int, default=50, help="Locust users, mixed traffic")
    parser.add_argument("--hello-users", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=40, help="each mixed-traffic run")
    parser.add_argument("--hello-seconds", type=int, default=15)
    parser.add_argument("--warm-up", type=int, default=10, help="seconds, not measured")
    parser.add_argument("--think", default="1,3", help="think time between pages: min,max s")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per web node")
    parser.add_argument(
        "--check-timeout", default="10s", help="HAProxy's `timeout check` ('' for none)"
    )
    parser.add_argument("--workers", choices=("db", "rq"), default="db")
    parser.add_argument("--rq-backend", default="django_tasks_rq.RQBackend")
    parser.add_argument("--rq-command", default="manage.py rqworker default --with-scheduler")
    parser.add_argument("--video", action="store_true", help="Chromium clients, real media")
    parser.add_argument("--video-rooms", type=int, choices=(1, 2), default=2)
    parser.add_argument(
        "--video-node",
        choices=tuple(JANUS),
        default="a",
        help="the node JANUS_WS_PORT/JANUS_PUBLIC_URL name (used until the pool places rooms)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the folder with the logs")
    args = parser.parse_args()
    missing = [p for p in ("haproxy", "redis-server", "janus", "ip") if not find(p)]
    if missing or not Path("/usr/bin/chromium").exists():
        print(f"missing: {missing or ['chromium']} (apt-get install; scripts/packages-test.txt)")
        return 2
    if os.geteuid() != 0:
        print("the rig needs root (network namespaces for Janus)")
        return 2

    rig = Rig(args)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    began = time.monotonic()
    try:
        say(f"folder {rig.tmp}")
        rig.env = rig.node_env()
        rig.start_postgres()
        say(f"PostgreSQL primary :{PRIMARY}, streaming replica :{REPLICA}")
        rig.start_redis()
        say(f"Redis :{REDIS}")
        load_demo(rig)
        write_people(rig)
        from django.db import connections

        connections.close_all()
        rig.start_janus()
        say("Janus a and b, each in its own network namespace (oj-rig-a, oj-rig-b)")
        rig.start_web()
        say(f"web nodes :{NODES[0]} :{NODES[1]} behind HAProxy :{FRONT}")
        rig.start_workers()
        say(f"two {args.workers} task workers")
        mixed = ["Clinician", "Director", "Participant"]
        # Warm every gunicorn worker of both nodes (imports, templates, connections): the
        # first run would otherwise pay for it alone.
        rig.locust("warm-up", FRONT, mixed, args.users, args.warm_up)
        one = rig.locust("hello-1", NODES[0], ["Hello"], args.hello_users, args.hello_seconds)
        one |= rig.locust("mixed-1", NODES[0], mixed, args.users, args.seconds)
        two = rig.locust("hello-2", FRONT, ["Hello"], args.hello_users, args.hello_seconds)
        two |= rig.locust("mixed-2", FRONT, mixed, args.users, args.seconds)
        video_report = video(rig) if args.video else None
        jobs = tasks_run() if args.workers == "db" else None
        connections.close_all()
        alive = {name: p.poll() is None for name, p in rig.processes.items()}
    except KeyboardInterrupt:
        say("interrupted; stopping everything")
        return 130
    finally:
        rig.close()
    print()
    print(table(one, two, args.users, args.think.replace(",", "–")))
    print()
    for run, context in rig.context.items():
        print(
            f"{run}: load average {context['load_average_1min']} at the end; "
            f"{context['replica_transactions']} transactions on the replica"
        )
    if jobs is not None:
        print(f"task queue (database) by status: {jobs or 'empty'}")
    for run, errors in rig.errors.items():
        for error, n in sorted(errors.items(), key=lambda e: -e[1]):
            print(f"failed in {run}: {n} × {error}")
    for n, room in enumerate(video_report or [], 1):
        print(f"video room {n}:", json.dumps(room))
    down = [name for name, up in alive.items() if not up and not name.startswith("locust")]
    if down:
        print(f"stopped during the run: {down}")
    print(f"rig total: {time.monotonic() - began:.0f} s")
    failed = sum(r["failures"] for r in (*one.values(), *two.values()))
    return 0 if failed == 0 and not down else 1


def find(program: str) -> bool:
    return bool(shutil.which(program)) or Path(f"/usr/sbin/{program}").exists()


if __name__ == "__main__":
    sys.exit(main())
