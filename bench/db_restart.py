"""Restart PostgreSQL under write load: every write either committed whole or clearly refused.

    .venv/bin/python bench/db_restart.py [--seconds 20] [--restart-at 7] [--clients 6]

Starts a throwaway PostgreSQL cluster (port 55450), loads a small demo with message threads,
serves it with gunicorn (2 workers), and has `--clients` threads post replies in a
participant's message thread for `--seconds` (each reply: a message row, the thread's time, a
read mark and an audit row, in one transaction). At `--restart-at` PostgreSQL is restarted
(fast shutdown: open sessions are cut, as in a crash and restart).

Afterwards it counts: replies answered as sent (302), replies refused (the status and whether
the page said nothing was saved), messages in the database and audit rows for them. Half-done
writes would show as messages without their audit row or the reverse; a reply that committed
but whose answer was lost shows as one message more than the 302s. Exits non-zero if a write
was half-done, or a refusal was not clear.
"""

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pgcluster import ctl, fresh_folder, init, stop_if_running  # noqa: E402

DATA = Path("/tmp/openiop-restart-bench/data")
PG_PORT, WEB_PORT = 55450, 8110
CLEAR_REFUSAL = "Nothing you typed on this page was saved"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--restart-at", type=float, default=7)
    parser.add_argument("--clients", type=int, default=6)
    args = parser.parse_args()
    stop_if_running(DATA)
    fresh_folder(DATA.parent)
    init(DATA, settings="fsync = off\n")
    ctl(DATA, PG_PORT)
    web = None
    try:
        url = prepare_database()
        web = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{WEB_PORT}",
             "--workers", "2", "--log-level", "error"],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "REDIS_URL": ""},
            start_new_session=True,
        )  # fmt: skip
        return run(args)
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
        stop_if_running(DATA)


def prepare_database() -> str:
    import psycopg

    admin = f"postgresql://postgres@127.0.0.1:{PG_PORT}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE DATABASE openiop")
    url = f"postgres://postgres@127.0.0.1:{PG_PORT}/openiop"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("OPENIOP_MODE", "development")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from openiop.core import demo
    from openiop.messaging.demo import load_threads_demo
    from openiop.messaging.models import Thread

    call_command("migrate", verbosity=0)
    program = demo.load(participants=30, weeks=4)
    if not Thread.objects.exists():
        load_threads_demo(program, now=timezone.now())
    return url


def run(args: argparse.Namespace) -> int:
    from django.db import connection

    from bench.signin import session_key_for
    from openiop.audit.models import AuditEvent
    from openiop.messaging.models import Message, Thread

    thread = Thread.objects.select_related("participant__user").order_by("id").first()
    assert thread is not None and thread.participant.user is not None
    author = thread.participant.user
    path = f"/messages/thread/{thread.code}/"
    cookie = f"sessionid={session_key_for(author)}"
    # The participant's own replies (outside office hours the thread also gets one automatic
    # answer, which is not theirs).
    replies = Message.objects.filter(thread=thread, author=author)
    messages_before = replies.count()
    sent_events = AuditEvent.objects.filter(event_type="messaging.message_sent", actor=author)
    audits_before = sent_events.count()
    connection.close()
    wait_for_web()
    csrf_cookie, token = csrf(path, cookie)
    headers = {
        "Cookie": f"{cookie}; csrftoken={csrf_cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Host": f"127.0.0.1:{WEB_PORT}",
        "Origin": f"http://127.0.0.1:{WEB_PORT}",
        "Referer": f"http://127.0.0.1:{WEB_PORT}{path}",
    }
    sent = 0
    refused: dict[str, int] = {}
    unclear = 0
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(n: int) -> None:
        nonlocal sent, unclear
        i = 0
        while time.monotonic() < deadline:
            i += 1
            body = f"csrfmiddlewaretoken={token}&text=Bench+reply+{n}-{i}"
            kind, clear = "", True
            try:
                conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=30)
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                page = response.read().decode(errors="replace")
                if response.status != 302:
                    kind = f"HTTP {response.status}"
                    clear = CLEAR_REFUSAL in page
            except OSError as exc:
                kind = type(exc).__name__  # no answer at all: the person sees a network error
            with lock:
                if kind:
                    refused[kind] = refused.get(kind, 0) + 1
                    unclear += not clear
                else:
                    sent += 1
            time.sleep(0.1)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    time.sleep(args.restart_at)
    began = time.monotonic()
    ctl(DATA, PG_PORT, "restart")
    restart_s = time.monotonic() - began
    for t in threads:
        t.join()

    written = replies.order_by("id")[messages_before:]
    audited = set(sent_events.values_list("target_id", flat=True))
    without_audit = [str(m.code) for m in written if str(m.code) not in audited]
    messages = replies.count() - messages_before
    audits = sent_events.count() - audits_before
    report = {
        "seconds": args.seconds,
        "clients": args.clients,
        "postgres_restart_s": round(restart_s, 1),
        "replies_answered_sent": sent,
        "replies_refused": sum(refused.values()),
        "refused_by_kind": refused,
        "refusals_without_a_clear_page": unclear,
        "messages_written": messages,
        "audit_rows_for_them": audits,
        "half_done_writes": abs(messages - audits),
        "messages_without_their_audit_row": without_audit,
        "committed_but_answer_lost": max(0, messages - sent),
        "answered_sent_but_missing": max(0, sent - messages),
    }
    print(json.dumps(report, indent=2))
    ok = report["half_done_writes"] == 0 and report["answered_sent_but_missing"] == 0
    return 0 if ok and unclear == 0 else 1


def wait_for_web(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=2)
            conn.request("GET", "/health/ready/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def csrf(path: str, cookie: str) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", WEB_PORT, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    page = response.read().decode()
    cookies = response.getheader("Set-Cookie") or ""
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf_cookie and token, f"no CSRF token on {path} ({response.status})"
    return csrf_cookie.group(1), token.group(1)


if __name__ == "__main__":
    sys.exit(main())
