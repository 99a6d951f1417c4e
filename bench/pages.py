"""Issue 14, item 1: each listed page against the framework "hello" page, in one run.

    .venv/bin/python bench/pages.py [--reuse] [--seconds 8] [--users 50] [--server gunicorn]

Loads `load_demo --participants 2000 --weeks 52` into the PostgreSQL database
`openiop_speed_bench` on DATABASE_URL's server (--reuse keeps a demo already loaded there: the
load takes several minutes), serves it with one server for every page (gunicorn, 2 sync
workers, by default; `--server gthread` or `--server granian` to compare), signs in the right
person for each page (a clinician, the director, participants: one session per simulated user)
and prints, per page:

- req/s with --users connections and no think time (saturation), and the ratio to hello's req/s
  measured in the same run: hello is measured before and after every page and the page is
  compared with the mean of the two, so a machine that gets busier or quieter during the run
  moves both (the issue's goal: ratio >= 0.35);
- p50/p95 latency at saturation (queueing included: with 50 users and 2 workers it is mostly
  the queue), and p50/p95 with the same --users each pausing --think seconds between requests
  (50 signed-in people using the site, one Python thread each; the pause is not counted in the
  latency; the issue's budget: p95 < 100 ms);
- the page's SQL queries, for a small and a large subject (a 10-person and a full caseload,
  two charts, two weeks...). Exits non-zero only when those counts differ (a query count that
  grows with the data), never on speed: the machine is shared and its figures are noisy.

Then the group-start storm: the members of the fullest group booked on its next session (moved
to start in 5 minutes), at most 15 (the demo's groups seat 12 at most, so 11-12 people), sign in
(password) and join the session (the pre-join page, the location form, the waiting room) all
at once; prints p50/p95/max of the whole sequence per person (issue: p95 < 1.5 s) and any
4xx/5xx.

The saturating load comes from wrk (Debian package `wrk`; C, keep-alive, a Lua script rotating
one session cookie per simulated user) so the client takes little of the CPU the server needs.
Every run prints `uptime` first and last: other work on the machine shows in the figures.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "openiop_speed_bench"
FLOOR_URLS = "bench.floor_urls"
PORT = int(os.environ.get("BENCH_PORT", "18301"))
PARTICIPANTS = 2000
WEEKS = 52

from bench.support import percentile, setup_django_on  # noqa: E402

WRK_SCRIPT = """
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do cookies[#cookies + 1] = line end
local counter = 0
local threads = {}
bad = 0
setup = function(thread) table.insert(threads, thread) end
request = function()
  counter = counter + 1
  local cookie = cookies[(counter % #cookies) + 1]
  local headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", nil, headers)
end
response = function(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  local non200 = 0
  for _, thread in ipairs(threads) do non200 = non200 + thread:get("bad") end
  io.write(string.format(
    "BENCH {\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p95\\": %f, "
    .. "\\"errors\\": %d, \\"non200\\": %d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, non200))
end
"""


@dataclass
class Page:
    name: str
    path: str
    cookies: list[str]  # one signed-in session per simulated user
    # (label, path, session cookie) of two subjects of different size, for the query count.
    subjects: list[tuple[str, str, str]] = field(default_factory=list)
    # False when the subjects differ in what they hold, not in size (two participants' Today
    # pages: one has a check-in to fill in): their counts are printed, a difference not failed.
    sized: bool = True
    # A floor page (bench/floor_urls.py) shows nothing: no listed page can be faster.
    floor: bool = False
    queries: dict[str, int] = field(default_factory=dict)
    results: dict[str, dict[str, float]] = field(default_factory=dict)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def load_demo(reuse: bool, participants: int) -> float:
    from django.core.management import call_command

    from openiop.accounts.models import User
    from openiop.core import demo

    call_command("migrate", verbosity=0)
    if reuse and User.objects.filter(email__endswith=f"@{demo.DEMO_DOMAIN}").exists():
        return 0.0
    began = time.perf_counter()
    call_command("load_demo", participants=participants, weeks=WEEKS, quiet=True, stdout=StringIO())
    return time.perf_counter() - began


def sessions_for(user: Any, count: int) -> list[str]:
    from django.conf import settings

    from bench.signin import session_key_for

    return [f"{settings.SESSION_COOKIE_NAME}={session_key_for(user)}" for _ in range(count)]


def pages(users: int) -> tuple[list[Page], dict[str, Any]]:
    """The pages, their signed-in sessions and the subjects whose query counts must agree."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from openiop.accounts.models import User
    from openiop.core import demo
    from openiop.participants.models import CareTeamMember, Participant
    from openiop.programs.models import Group, Program
    from openiop.scheduling.models import Enrollment, Session

    program = Program.objects.get(name=demo.DEMO_PROGRAM)
    director = User.objects.get(email=demo.staff_email("Dana", "Director"))
    rosa = User.objects.get(email=demo.staff_email("Rosa", "Alvarez"))
    # A second clinician with a 10-person caseload: the caseload's and the alert list's query
    # counts must not change with the size of the caseload.
    small, _ = User.objects.get_or_create(
        email="bench.clinician@demo.openiop.invalid",
        defaults={
            "given_name": "Bench",
            "family_name": "Clinician",
            "role": User.Role.CLINICIAN,
            "discipline": User.Discipline.COUNSELOR,
        },
    )
    mine = Participant.objects.filter(care_team__clinician=rosa).order_by("id")
    if not CareTeamMember.objects.filter(clinician=small).exists():
        CareTeamMember.objects.bulk_create(
            CareTeamMember(participant=p, clinician=small, role="therapist") for p in mine[:10]
        )
    seated = Enrollment.objects.filter(status=Enrollment.Status.SEATED)
    charted = list(mine.filter(enrollments__in=seated).distinct()[:2])
    # The groups Rosa leads, the fullest first; its session closest to now.
    groups = list(
        Group.objects.filter(facilitators=rosa)
        .annotate(seats=Count("enrollments", distinct=True))
        .order_by("-seats", "id")[:2]
    )
    now = timezone.now()

    def session_of(group: Group) -> Session:
        return (
            Session.objects.filter(group=group, starts_at__gte=now - timedelta(days=7))
            .order_by("starts_at")
            .first()
            or Session.objects.filter(group=group).order_by("-starts_at")[0]
        )

    participants = list(
        Participant.objects.filter(user__isnull=False, enrollments__in=seated)
        .select_related("user")
        .distinct()
        .order_by("id")[: max(users, 2)]
    )
    # Each simulated participant is a different person.
    participant_cookies = [sessions_for(p.user, 1)[0] for p in participants]
    # Two members of one group (the same sessions, so the same things to do) for the counts.
    members = Participant.objects.filter(
        user__isnull=False, enrollments__in=seated.filter(group=groups[0])
    ).select_related("user")
    member_cookies = [sessions_for(p.user, 1)[0] for p in members.order_by("id")[:2]]
    rosa_cookies = sessions_for(rosa, users)
    director_cookies = sessions_for(director, users)
    small_cookie = sessions_for(small, 1)[0]
    sessions = [session_of(g) for g in groups]
    old_week = (now - timedelta(weeks=30)).date()
    grid = f"/schedule/programs/{program.code}/week/"

    rosa_one = rosa_cookies[0]
    chart = [f"/participants/{p.code}/" for p in charted]
    ledger = [f"/schedule/participants/{p.code}/ledger/" for p in charted]
    roster = [f"/schedule/groups/{g.code}/" for g in groups]
    session = [f"/schedule/sessions/{s.code}/" for s in sessions]
    caseloads = [("10 people", small_cookie), (f"{mine.count()} people", rosa_one)]
    floor_chart = [f"/bench/chart/{p.code}/" for p in charted]
    listed = [
        # The floors (bench/floor_urls.py): signed in, the layout and nothing else.
        Page("floor staff", "/bench/empty/", rosa_cookies,
             [(label, "/bench/empty/", cookie) for label, cookie in caseloads], floor=True),
        Page("floor chart", floor_chart[0], rosa_cookies,
             [(f"chart {i}", path, rosa_one) for i, path in enumerate(floor_chart)],
             floor=True),
        Page("floor member", "/bench/empty/", participant_cookies,
             [(f"member {i}", "/bench/empty/", cookie) for i, cookie in enumerate(member_cookies)],
             floor=True),
        Page("caseload", "/participants/", rosa_cookies,
             [(label, "/participants/", cookie) for label, cookie in caseloads]),
        Page("chart", chart[0], rosa_cookies,
             [(f"chart {i}", path, rosa_one) for i, path in enumerate(chart)]),
        Page("week grid (director)", grid, director_cookies,
             [("this week", grid, director_cookies[0]),
              ("30 weeks ago", f"{grid}?week={old_week}", director_cookies[0])]),
        Page("ledger", ledger[0], rosa_cookies,
             [(f"ledger {i}", path, rosa_one) for i, path in enumerate(ledger)]),
        Page("alert list", "/safety/", rosa_cookies,
             [(label, "/safety/", cookie) for label, cookie in caseloads]),
        Page("participant Today", "/", participant_cookies,
             [(f"member {i}", "/", cookie) for i, cookie in enumerate(member_cookies)],
             sized=False),
        Page("roster", roster[0], rosa_cookies,
             [(f"group {i}", path, rosa_one) for i, path in enumerate(roster)]),
        Page("session", session[0], rosa_cookies,
             [(f"session {i}", path, rosa_one) for i, path in enumerate(session)]),
        Page("My week", "/schedule/my-week/", participant_cookies,
             [(f"member {i}", "/schedule/my-week/", cookie)
              for i, cookie in enumerate(member_cookies)]),
    ]  # fmt: skip
    return listed, {"program": program, "group": groups[0], "rosa": rosa}


def count_queries(listed: list[Page]) -> None:
    """Each subject's query count, with Django's test client (a warm-up request first)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    # The floor pages are routed in-process too (the server gets bench/floor_settings.py).
    with override_settings(ROOT_URLCONF=FLOOR_URLS):
        for page in listed:
            for label, path, cookie in page.subjects:
                client = Client(HTTP_HOST="127.0.0.1")
                name, value = cookie.split("=", 1)
                client.cookies[name] = value
                client.get(path)
                counts = []
                for _ in range(2):
                    with CaptureQueriesContext(connection) as ctx:
                        response = client.get(path)
                    assert response.status_code == 200, (page.name, path, response.status_code)
                    counts.append(len(ctx.captured_queries))
                # The fewest: now and then the session clock writes the session as well.
                page.queries[label] = min(counts)


def start_server(kind: str) -> subprocess.Popen:
    env = {**os.environ, "OPENIOP_MODE": "development", "LOG_LEVEL": "ERROR", "DEBUG": ""}
    env["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"  # the site and the floor pages
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    bind = f"127.0.0.1:{PORT}"
    gunicorn = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", bind, "--workers", "2"]
    commands = {
        "gunicorn": [*gunicorn, "--log-level", "warning", "--backlog", "2048"],
        "gthread": [*gunicorn, "--worker-class", "gthread", "--threads", "4",
                    "--log-level", "warning", "--backlog", "2048"],
        "granian": [str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                    "--port", str(PORT), "--workers", "2", "--blocking-threads", "1",
                    "--log-level", "warning", "--no-ws", "config.wsgi:application"],
    }  # fmt: skip
    server = subprocess.Popen(commands[kind], cwd=ROOT, env=env)
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=1)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"{kind} did not answer on port {PORT}")


def drain() -> None:
    """Wait for the requests wrk left queued when it stopped, so the next run starts clean."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    conn.request("GET", "/health/")
    conn.getresponse().read()
    conn.close()


def wrk(
    path: str, cookies: list[str], *, seconds: float, users: int, script: Path
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as file:
        file.write("\n".join(cookies or [""]) + "\n")
    duration = f"{max(1, round(seconds))}s"
    try:
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(users), "-d", duration, "--timeout", "10s",
             "-s", str(script), f"http://127.0.0.1:{PORT}{path}"],
            capture_output=True, text=True, check=True,
            env={**os.environ, "BENCH_COOKIES": file.name},
        ).stdout  # fmt: skip
    finally:
        os.unlink(file.name)
    drain()
    match = re.search(r"^BENCH (.*)$", out, re.MULTILINE)
    if not match:
        raise SystemExit(f"wrk said:\n{out}")
    figures = json.loads(match.group(1))
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def people(
    path: str, cookies: list[str], *, seconds: float, users: int, think: float
) -> dict[str, float]:
    """`users` people, each with their own session, pausing 0.5-1.5 x `think` seconds between
    requests: the latency of each request alone, think time excluded.

    Not wrk: its Lua `delay` counts the pause in the latency it reports (hello at 32 req/s
    showed p50 425 ms). At ~50 requests a second a Python thread per person is light enough.
    """
    latencies: list[float] = []
    bad = [0, 0]  # connection errors, non-200 answers
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def person(number: int) -> None:
        rng = random.Random(number)
        headers = {"Cookie": cookies[number % len(cookies)]} if cookies else {}
        time.sleep(rng.uniform(0, think))  # arrive spread out, not all at once
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    latencies.append(elapsed)
                    bad[1] += response.status != 200
            except (OSError, http.client.HTTPException):
                with lock:
                    bad[0] += 1
            time.sleep(rng.uniform(think / 2, think * 3 / 2))

    threads = [threading.Thread(target=person, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    drain()
    ordered = sorted(latencies) or [0.0]
    return {
        "requests": len(latencies),
        "rps": len(latencies) / (time.monotonic() - started),
        "p50": statistics.median(ordered),
        "p95": percentile(ordered, 0.95),
        "errors": bad[0],
        "non200": bad[1],
    }


def storm(size: int) -> dict[str, Any]:
    """`size` participants of one group sign in and join its video session at once."""
    from datetime import timedelta

    from django.conf import settings
    from django.db.models import Count, Q
    from django.utils import timezone

    from openiop.core import demo
    from openiop.participants.models import Participant
    from openiop.programs.models import Group
    from openiop.scheduling.models import Enrollment, Session
    from openiop.telehealth.models import Attendance

    if not settings.TELEHEALTH_ENABLED:
        return {"skipped": "telehealth is off (no JANUS_ADMIN_KEY / JANUS_TOKEN_SECRET)"}
    # The fullest group with a facilitator, and its next session moved to start in 5 minutes
    # (the waiting room opens 15 minutes before): the bench's own copy of the demo.
    group = (
        Group.objects.filter(facilitators__isnull=False)
        .annotate(
            seated=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.SEATED))
        )
        .order_by("-seated", "id")
        .first()
    )
    now = timezone.now()
    session = Session.objects.filter(group=group, starts_at__gte=now).order_by("starts_at")[0]
    length = session.ends_at - session.starts_at
    Session.objects.filter(pk=session.pk).update(
        starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(minutes=5) + length
    )
    members = list(
        Participant.objects.filter(
            enrollments__group=group,
            enrollments__status=Enrollment.Status.SEATED,
            bookings__session=session,
            user__isnull=False,
        )
        .select_related("user")
        .distinct()[:size]
    )
    Attendance.objects.filter(session_code=session.code).delete()
    url_join = f"/video/{session.code}/join/"
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(members))

    def person(participant: Participant) -> None:
        statuses = []
        timings = {}
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        cookies: dict[str, str] = {}

        def call(method: str, path: str, body: dict[str, str] | None = None) -> str:
            nonlocal conn
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
            data = None
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Referer"] = f"http://127.0.0.1:{PORT}{path}"
                data = urlencode(body)
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookies[name] = rest.split(";", 1)[0]
            statuses.append(response.status)
            if response.will_close:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            return text

        def token(text: str) -> str:
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
            return found.group(1) if found else ""

        barrier.wait()
        began = time.perf_counter()
        page = call("GET", "/accounts/login/")
        call(
            "POST",
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": token(page),
                "login": participant.email,
                "password": demo.DEMO_PASSWORD,
            },
        )
        timings["sign-in"] = time.perf_counter() - began
        page = call("GET", url_join)
        call(
            "POST",
            url_join,
            {
                "csrfmiddlewaretoken": token(page),
                "location": "home",
                "location_state": participant.home_state,
                "callback_phone": str(participant.phone),
                "private_place": "yes",
            },
        )
        call("GET", f"/video/{session.code}/waiting/")
        timings["total"] = time.perf_counter() - began
        conn.close()
        with lock:
            results.append({"timings": timings, "statuses": statuses})

    threads = [threading.Thread(target=person, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    totals = [r["timings"]["total"] * 1000 for r in results]
    signins = [r["timings"]["sign-in"] * 1000 for r in results]
    bad = [s for r in results for s in r["statuses"] if s >= 400]
    waiting = Attendance.objects.filter(session_code=session.code).count()
    return {
        "people": len(results),
        "p50": statistics.median(totals),
        "p95": percentile(totals, 0.95),
        "max": max(totals),
        "signin_p95": percentile(signins, 0.95),
        "bad": bad,
        "waiting": waiting,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reuse", action="store_true", help="keep a demo already loaded")
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--server", choices=["gunicorn", "gthread", "granian"], default="gunicorn")
    parser.add_argument("--only", help="comma-separated page names (default: all)")
    parser.add_argument("--no-storm", action="store_true")
    parser.add_argument("--database", default=DATABASE, help="on DATABASE_URL's server")
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/pages.py needs wrk (Debian package `wrk`).")
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    print(f"start: {uptime()}")
    # The storm's join pages need video on; nothing here talks to Janus (the waiting room
    # does not), so any key will do.
    os.environ.setdefault("JANUS_ADMIN_KEY", "bench-admin-key-0123456789")
    os.environ.setdefault("JANUS_TOKEN_SECRET", "bench-token-secret-0123456789-0123456789")
    setup_django_on(args.database, reuse=args.reuse)
    loaded = load_demo(args.reuse, args.participants)
    print(
        f"demo: {args.participants} participants / {WEEKS} weeks in {args.database}"
        + (f" (loaded in {loaded:.0f} s)" if loaded else " (reused)")
    )
    from django.db import connection, connections

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    listed, _ = pages(args.users)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        listed = [p for p in listed if p.name in wanted]
    count_queries(listed)
    connections.close_all()

    drift = [p for p in listed if p.sized and len(set(p.queries.values())) > 1]
    with tempfile.TemporaryDirectory() as directory:
        script = Path(directory) / "bench.lua"
        script.write_text(WRK_SCRIPT)
        server = start_server(args.server)
        try:
            run = {"seconds": args.seconds, "users": args.users, "script": script}
            for page in listed:  # warm every worker and its caches
                wrk(page.path, page.cookies, **{**run, "seconds": 1})
            hellos = [wrk("/health/", [], **run)]
            for page in listed:
                page.results["sat"] = wrk(page.path, page.cookies, **run)
                hellos.append(wrk("/health/", [], **run))
                page.results["hello"] = {
                    "rps": (hellos[-2]["rps"] + hellos[-1]["rps"]) / 2,
                }
                page.results["think"] = people(
                    page.path, page.cookies, seconds=args.seconds, users=args.users,
                    think=args.think,
                )  # fmt: skip
            storm_result = None if args.no_storm else storm(15)
        finally:
            server.terminate()
            server.wait(timeout=20)

    hello_rps = [h["rps"] for h in hellos]
    print(
        f"\n{args.server}, 2 workers, port {PORT}; wrk, {args.users} connections "
        f"(one signed-in session each), {args.seconds:.0f} s per run"
    )
    print(
        f"hello (/health/): {statistics.mean(hello_rps):,.0f} req/s mean "
        f"({min(hello_rps):,.0f}-{max(hello_rps):,.0f} over {len(hello_rps)} runs), "
        f"p50 {hellos[0]['p50']:.1f} ms p95 {hellos[0]['p95']:.1f} ms"
    )
    header = (
        f"{'page':<22}{'req/s':>8}{'ratio':>7}{'sat p50':>9}{'sat p95':>9}"
        f"{'50u p50':>9}{'50u p95':>9}{'errors':>7}  queries"
    )
    print(header)
    for page in listed:
        sat, think, hello = page.results["sat"], page.results["think"], page.results["hello"]
        ratio = sat["rps"] / hello["rps"]
        errors = sat["errors"] + sat["non200"] + think["errors"] + think["non200"]
        counts = ", ".join(f"{label} {n}" for label, n in page.queries.items())
        print(
            f"{page.name:<22}{sat['rps']:>8.1f}{ratio:>7.2f}{sat['p50']:>9.1f}{sat['p95']:>9.1f}"
            f"{think['p50']:>9.1f}{think['p95']:>9.1f}{errors:>7}  {counts}"
            + ("  (floor)" if page.floor else "" if ratio >= 0.35 else "  (below 0.35)")
        )
    print(
        "ms; 'sat': no think time (queue included); "
        f"'50u': {args.users} users pausing ~{args.think:g} s between requests"
    )
    if storm_result is not None:
        if "skipped" in storm_result:
            print(f"\ngroup-start storm: skipped, {storm_result['skipped']}")
        else:
            print(
                f"\ngroup-start storm: {storm_result['people']} participants sign in and join "
                f"at once: p50 {storm_result['p50']:.0f} ms, p95 {storm_result['p95']:.0f} ms, "
                f"max {storm_result['max']:.0f} ms (sign-in alone p95 "
                f"{storm_result['signin_p95']:.0f} ms); {storm_result['waiting']} in the "
                f"waiting room; error statuses: {storm_result['bad'] or 'none'}"
            )
    print(f"end: {uptime()}")
    if drift:
        for page in drift:
            print(f"FAIL: {page.name}: the query count changes with the data: {page.queries}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
