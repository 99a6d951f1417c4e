"""Mixed staff and participant traffic for the scale-out rig (bench/rig.py runs it headless).

    .venv/bin/locust -f bench/locustfile.py --headless -u 50 -r 10 -t 40s \
        --host http://127.0.0.1:18400 Clinician Director Participant    (or: Hello)

Who signs in is read from the JSON file named by RIG_USERS (written by bench/rig.py): one
session key per person, as a full sign-in with MFA leaves it (bench/signin.py), and the codes
of what they open. Think times between pages come from RIG_THINK ("min,max" seconds; default
"1,3"); the Hello user opens /health/ with no think time, to measure the framework's ceiling.

- Clinicians: caseload, a chart, its notes list, the alert list.
- The director: the week grid and the operations board.
- Participants: Today, the check-in questionnaire (open, then save the answers: a write with
  its audit row), messages.
"""

import json
import os
import random
import secrets
import sys
from itertools import count
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, constant, events, task
from requests.cookies import create_cookie

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.locust_paths import path

THINK = tuple(float(s) for s in os.environ.get("RIG_THINK", "1,3").split(","))
GAD7_ANSWERS = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def _people() -> dict[str, list[dict[str, Any]]]:
    source = os.environ.get("RIG_USERS")
    if not source:
        return {"clinicians": [], "directors": [], "participants": []}
    return json.loads(Path(source).read_text())  # type: ignore[no-any-return]


PEOPLE = _people()
_turn = count()


class SignedIn(FastHttpUser):
    abstract = True
    kind = ""
    wait_time = between(*THINK)

    def on_start(self) -> None:
        people = PEOPLE[self.kind]
        self.me = people[next(_turn) % len(people)]
        host = (self.host or "").split("//")[-1].split(":")[0]
        self.csrf = secrets.token_hex(16)  # an unmasked secret, as Django accepts it
        for name, value in (("sessionid", self.me["session"]), ("csrftoken", self.csrf)):
            self.client.cookiejar.set_cookie(create_cookie(name, value, domain=host))

    def page(self, label: str, **codes: str) -> None:
        with self.client.get(path(label, **codes), name=label, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class Clinician(SignedIn):
    weight = 4
    kind = "clinicians"

    @task(3)
    def caseload(self) -> None:
        self.page("caseload")

    @task(3)
    def chart(self) -> None:
        self.page("chart", participant=random.choice(self.me["charts"]))

    @task(2)
    def notes(self) -> None:
        self.page("notes list", participant=random.choice(self.me["charts"]))

    @task(2)
    def alerts(self) -> None:
        self.page("alert list")


class Director(SignedIn):
    weight = 1
    kind = "directors"

    @task
    def week_grid(self) -> None:
        self.page("week grid", program=self.me["program"])

    @task
    def board(self) -> None:
        self.page("board", program=self.me["program"])


class Participant(SignedIn):
    weight = 5
    kind = "participants"

    @task(3)
    def today(self) -> None:
        self.page("Today")

    @task(1)
    def check_in(self) -> None:
        assignment = self.me["assignment"]
        self.page("check-in form", assignment=assignment)
        answers = {f"q-{n}": random.choice(GAD7_ANSWERS) for n in range(1, 8)}
        with self.client.post(
            path("check-in save", assignment=assignment),
            data={"csrfmiddlewaretoken": self.csrf, "action": "save", **answers},
            name="check-in save",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:  # saved: back to the form
                r.failure(f"HTTP {r.status_code}")

    @task(2)
    def messages(self) -> None:
        self.page("messages")


class Hello(FastHttpUser):
    """The framework's ceiling: /health/, no session, no think time."""

    wait_time = constant(0)

    @task
    def hello(self) -> None:
        self.client.get(os.environ.get("RIG_HELLO", path("hello")), name="hello")


@events.test_stop.add_listener
def write_result(environment: Any, **kwargs: Any) -> None:
    """Per page: req/s, p50, p95, requests, failures, and failures by kind, into RIG_RESULT."""
    target = os.environ.get("RIG_RESULT")
    if not target:
        return
    entries = [*environment.stats.entries.values(), environment.stats.total]
    result = {
        ("Aggregated" if entry is environment.stats.total else entry.name): {
            "rps": entry.total_rps,
            "p50": entry.get_response_time_percentile(0.5) or 0,
            "p95": entry.get_response_time_percentile(0.95) or 0,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
        }
        for entry in entries
    }
    errors: dict[str, int] = {}
    for error in environment.stats.errors.values():
        key = f"{error.name}: {error.error}"
        errors[key] = errors.get(key, 0) + error.occurrences
    Path(target).write_text(json.dumps({"pages": result, "errors": errors}))
