"""The authorisation matrix's rows for the care team's pages (team thread, tasks, case
review); `authz.py` collects them with the rest of messaging's rows.

A team page is for Pat's care team (Dr. Alvarez, and Sam, read-only on the chart but a full
member of the team's coordination) and the program's director; Quinn's for Dr. Chen and the
director. Everyone else 404: the participants, Ivy (intake), Ada (administrator). "My tasks"
is every staff member's own list. The case review is the program's directors and clinicians.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from openiop.tests.authz import ROLES, Entry, chart_kwargs

OUTSIDERS = {r: 404 for r in ROLES if r != "anonymous"}
TEAM = {**OUTSIDERS, "dana": 200, "alvarez": 200, "sam": 200}
OTHER_TEAM = {"dana": 200, "chen": 200}
REVIEWERS = {**OUTSIDERS, "dana": 200, "alvarez": 200, "sam": 200, "chen": 200}


def _as(statuses: dict[str, int], code: int) -> dict[str, int]:
    return {k: code if v == 200 else v for k, v in statuses.items()}


def program_kwargs(case: Any, target: str) -> dict:
    """The personas' program, or one nobody here works in (a name of its own: other apps'
    rows make programs named like the shared helper's)."""
    from openiop.programs.models import Program

    if target == "missing":
        return {"code": uuid.uuid4()}
    if target == "own":
        return {"code": case.program.code}
    other = Program.objects.filter(name="Team: other program").first()
    return {"code": (other or Program.objects.create(name="Team: other program")).code}


def task_kwargs(case: Any, target: str) -> dict:
    """An open task about the target's chart, owned by someone on their team."""
    from openiop.messaging.models import TeamTask

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant, owner = (case.pat, case.alvarez) if target == "own" else (case.quinn, case.chen)
    now = timezone.now()
    task = TeamTask.objects.create(
        participant=participant,
        title="Med review",
        owner=owner,
        due_at=now + timedelta(days=1),
        created_by=owner,
        created_at=now,
    )
    return {"code": task.code}


def decision_kwargs(case: Any, target: str) -> dict:
    """Pat, flagged on her program's review by an open alert; "other": Quinn in a program
    nobody here works in."""
    from openiop.safety.models import SafetyAlert

    if target == "missing":
        return {"code": uuid.uuid4(), "participant_code": uuid.uuid4()}
    if target == "other":
        return {**program_kwargs(case, "other"), "participant_code": case.quinn.code}
    now = timezone.now()
    SafetyAlert.objects.get_or_create(
        participant=case.pat,
        kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
        status=SafetyAlert.Status.OPEN,
        defaults={"opened_at": now, "last_triggered_at": now},
    )
    return {"code": case.program.code, "participant_code": case.pat.code}


MATRIX = {
    "messaging:team": Entry("GET", TEAM, chart_kwargs, other=OTHER_TEAM, audits=1),
    "messaging:team_post": Entry(
        "POST",
        _as(TEAM, 302),
        chart_kwargs,
        other=_as(OTHER_TEAM, 302),
        data={"post-text": "Checking in after group."},
    ),
    # The polled fragment: nothing new (no `after`) is 204; shown posts record one read per
    # page view (test_team.py).
    "messaging:team_new_posts": Entry(
        "GET", _as(TEAM, 204), chart_kwargs, other=_as(OTHER_TEAM, 204), audits=1
    ),
    # The matrix cannot name an owner; the empty form answers 400 to those allowed in.
    "messaging:task_add": Entry("POST", _as(TEAM, 400), chart_kwargs, other=_as(OTHER_TEAM, 400)),
    "messaging:task_status": Entry(
        "POST",
        _as(TEAM, 302),
        task_kwargs,
        other=_as(OTHER_TEAM, 302),
        data={"status": "done"},
    ),
    "messaging:my_tasks": Entry(
        "GET",
        {**OUTSIDERS, **{r: 200 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")}},
        audits=0,
    ),
    "messaging:case_review_index": Entry("GET", _as(REVIEWERS, 302), audits=0),
    "messaging:case_review": Entry("GET", REVIEWERS, program_kwargs, audits=1),
    "messaging:case_review_decide": Entry(
        "POST", _as(REVIEWERS, 302), decision_kwargs, data={"text": "Call her today."}
    ),
}
