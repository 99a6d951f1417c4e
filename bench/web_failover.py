"""Kill one of two web nodes behind HAProxy during load: what fails, what is lost (issue 14).

    .venv/bin/python bench/web_failover.py [--seconds 20] [--kill-at 7] [--clients 8]

Needs Debian's haproxy (`apt-get install haproxy`) and PostgreSQL (DATABASE_URL's server, or
the one scripts/postgres.sh finds or starts); uses Redis on REDIS_URL when it answers, for the
shared cache. Loads a small demo into a fresh database `openiop_bench_failover`, starts two
gunicorn nodes (2 workers each) and HAProxy in front (health check on /health/ready/, retries
and redispatch on a dead node), then `--clients` threads open participants' charts as a
signed-in clinician for `--seconds`. Each chart opening writes one audit read event, so
every 200 must have its row. At `--kill-at` seconds one node is killed (SIGKILL, master and
workers). Prints requests, failures by kind, p50/p95/max latency, 200s without their audit row
(lost writes) and rows without a 200 (a retried request's first attempt that committed).
Exits non-zero on a failed request or a lost write.
"""

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_bench_failover"
FRONT, NODES = 8100, (8101, 8102)

HAPROXY_CFG = """
global
    maxconn 2000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 5s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
    option httpchk GET /health/ready/
    http-check expect status 200
frontend web
    bind 127.0.0.1:{front}
    unique-id-format %{{+X}}o\\ %ci:%cp_%fi:%fp_%Ts_%rt:%pid
    http-request set-header X-Request-ID %[unique-id]
    default_backend nodes
backend nodes
    balance roundrobin
    default-server check inter 500ms fall 2 rise 2
{servers}
"""


def start_postgres_url() -> str:
    base = (
        os.environ.get("DATABASE_URL")
        or subprocess.run(
            [str(ROOT / "scripts/postgres.sh"), "start"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    return base


def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # no Redis: each node keeps its own file cache
        return ""
    return url


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kill-at", type=float, default=7)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("haproxy") and not Path("/usr/sbin/haproxy").exists():
        print("haproxy is not installed: apt-get install haproxy")
        return 2
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"

    from bench.support import recreate_database

    url = recreate_database(start_postgres_url(), DATABASE)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.signin import session_key_for
    from openiop.accounts.models import User
    from openiop.audit.models import AuditEvent
    from openiop.core import demo
    from openiop.participants.models import Participant

    call_command("migrate", verbosity=0)
    demo.load(participants=30, weeks=4)
    clinician = User.objects.filter(email__startswith="rosa.alvarez@").get()
    charts = [
        f"/participants/{code}/"
        for code in Participant.objects.filter(care_team__clinician=clinician).values_list(
            "code", flat=True
        )
    ]
    cookie = f"sessionid={session_key_for(clinician)}"
    reads = AuditEvent.objects.filter(actor=clinician, event_type="participant.chart_viewed")
    reads_before = reads.count()

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OPENIOP_MODE": "development",
    }
    tmp = Path(tempfile.mkdtemp(prefix="openiop-failover-"))
    nodes = {}
    for n, port in enumerate(NODES, 1):
        nodes[f"web{n}"] = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
    servers = "\n".join(f"    server web{n} 127.0.0.1:{port}" for n, port in enumerate(NODES, 1))
    (tmp / "haproxy.cfg").write_text(HAPROXY_CFG.format(front=FRONT, servers=servers))
    proxy = subprocess.Popen([haproxy, "-db", "-f", str(tmp / "haproxy.cfg")], cwd=tmp)
    try:
        wait_until_ready()
        report = load(args, charts, cookie, nodes["web1"])
    finally:
        proxy.terminate()
        for process in nodes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        shutil.rmtree(tmp, ignore_errors=True)
    ok = report["ok"]
    rows = reads.count() - reads_before
    report["audit_rows_written"] = rows
    report["lost_writes"] = max(0, ok - rows)
    report["extra_rows_from_retries"] = max(0, rows - ok)
    print(json.dumps(report, indent=2))
    return 0 if report["failed"] == 0 and report["lost_writes"] == 0 else 1


def wait_until_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = 0
        for port in NODES:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/health/ready/")
                ready += conn.getresponse().status == 200
            except OSError:
                pass
        if ready == len(NODES):
            time.sleep(1.5)  # HAProxy's checks see both up
            return
        time.sleep(0.3)
    raise RuntimeError("the web nodes did not become ready")


def load(
    args: argparse.Namespace, charts: list[str], cookie: str, victim: subprocess.Popen
) -> dict:
    latencies: list[float] = []
    failures: dict[str, int] = {}
    ok = 0
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + args.seconds

    def client(offset: int) -> None:
        nonlocal ok
        i = offset
        while time.monotonic() < deadline:
            path = charts[i % len(charts)]
            i += 1
            began = time.monotonic()
            kind = ""
            try:
                conn = http.client.HTTPConnection("127.0.0.1", FRONT, timeout=30)
                conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    kind = f"HTTP {response.status}"
            except OSError as exc:
                kind = type(exc).__name__
            with lock:
                latencies.append(time.monotonic() - began)
                if kind:
                    failures[kind] = failures.get(kind, 0) + 1
                else:
                    ok += 1
            time.sleep(0.05)  # a little think time

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(args.kill_at)
    os.killpg(victim.pid, signal.SIGKILL)
    killed_at = time.monotonic() - started
    for thread in threads:
        thread.join()
    latencies.sort()
    return {
        "seconds": args.seconds,
        "clients": args.clients,
        "killed_web1_at_s": round(killed_at, 1),
        "requests": len(latencies),
        "ok": ok,
        "failed": sum(failures.values()),
        "failures": failures,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


if __name__ == "__main__":
    sys.exit(main())
