"""The authorisation matrix's vocabulary: roles, expected answers and the rows each URL is
asked about. `test_authz_matrix.py` holds the matrix of the apps up to telehealth; each later
app keeps its own rows in `<app>/tests/authz.py` (a `MATRIX` dict, and optionally a
`GET_AND_POST` set), which the matrix collects, so an app's pages are decided beside it."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "dana", "alvarez", "sam", "chen", "ivy", "admin", "pat", "quinn")

# URL names that belong to allauth's sign-in/MFA pages or Django's admin, which guard
# themselves (tested in accounts/tests); "home"-less public endpoints are listed in MATRIX.
EXEMPT_PREFIXES = ("account_", "mfa_", "admin:")
# Pages that show a form on GET and take it on POST.
GET_AND_POST = {
    "participants:edit",
    "participants:new",
    "assessments:respond",
    "assessments:correct",
    "intake:new",
    "intake:assessment",
    "intake:level_of_care",
    "intake:rules",
    "intake:targets",
    "scheduling:admit",
    "scheduling:closures",
    "scheduling:new_appointment",
    "telehealth:join",
}


@dataclass
class Entry:
    """Expected status codes.

    `expect` maps role → status for the "own" target (Pat's chart, the one most staff share).
    `other` maps role → status for Quinn's chart; omitted roles get 404. A nonexistent code is
    always 404 for signed-in users. Anonymous users are sent to the login page (302) unless
    the entry says otherwise.

    `audits` is the number of read events each GET answered with 200 writes, whoever asks:
    1 for a page that shows a participant's record, 0 otherwise. It has no default, so a new
    page that answers 200 fails until someone decides.
    """

    method: str
    expect: dict[str, int]
    kwargs: Callable[[Any, str], dict] | None = None
    other: dict[str, int] = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    audits: int | None = None
    # Anonymous visitors asking for a nonexistent code, when not the same as for "own"
    # (pages anonymous visitors may reach, such as a guest's link).
    anonymous_missing: int | None = None


def chart_kwargs(case: Any, target: str) -> dict:
    code = {"own": case.pat.code, "other": case.quinn.code, "missing": uuid.uuid4()}[target]
    return {"code": code}


def member_kwargs(case: Any, target: str) -> dict:
    if target == "own":
        member = case.pat.care_team.get(clinician=case.sam)
        return {"code": case.pat.code, "member_code": member.code}
    if target == "other":
        member = case.quinn.care_team.get(clinician=case.chen)
        return {"code": case.quinn.code, "member_code": member.code}
    return {"code": uuid.uuid4(), "member_code": uuid.uuid4()}


def _participant(case: Any, target: str) -> Any:
    return case.pat if target == "own" else case.quinn


def assignment_kwargs(case: Any, target: str) -> dict:
    """An open PHQ-9 assignment of the target participant."""
    from openiop.assessments.actions import shipped_instrument
    from openiop.assessments.models import Assignment

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = _participant(case, target)
    instrument = shipped_instrument("phq-9")
    assignment, _ = Assignment.objects.get_or_create(
        participant=participant,
        instrument=instrument,
        status=Assignment.Status.OPEN,
        defaults={"assigned_by": case.dana},
    )
    return {"code": assignment.code}


def response_kwargs(case: Any, target: str) -> dict:
    """A submitted GAD-7 response of the target participant."""
    from django.utils import timezone

    from openiop.assessments.actions import shipped_instrument
    from openiop.assessments.models import Assignment, Response

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = _participant(case, target)
    existing = Response.objects.filter(participant=participant, instrument__key="gad-7").first()
    if existing is None:
        instrument = shipped_instrument("gad-7")
        assignment = Assignment.objects.create(
            participant=participant,
            instrument=instrument,
            assigned_by=case.dana,
            status=Assignment.Status.COMPLETED,
            completed_at=timezone.now(),
        )
        existing = Response.objects.create(
            assignment=assignment,
            participant=participant,
            instrument=instrument,
            status=Response.Status.SUBMITTED,
            source=Response.Source.PARTICIPANT,
            answers={str(n): "LA6568-5" for n in range(1, 8)},
            started_by=participant.user,
            submitted_by=participant.user,
            submitted_at=timezone.now(),
            complete=True,
            scores={
                "total": {"label": "GAD-7", "value": 0, "band": "minimal", "band_label": "Minimal"}
            },
        )
    return {"code": existing.code}


def alert_kwargs(case: Any, target: str) -> dict:
    """An open safety alert about the target participant."""
    from django.utils import timezone

    from openiop.safety.models import SafetyAlert

    if target == "missing":
        return {"code": uuid.uuid4()}
    now = timezone.now()
    alert, _ = SafetyAlert.objects.get_or_create(
        participant=_participant(case, target),
        kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
        status=SafetyAlert.Status.OPEN,
        defaults={"opened_at": now, "last_triggered_at": now},
    )
    return {"code": alert.code}


def referral_kwargs(case: Any, target: str) -> dict:
    """A referral at the comprehensive-assessment step for the target participant."""
    from openiop.intake.models import Referral

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = _participant(case, target)
    referral, _ = Referral.objects.get_or_create(
        participant=participant,
        defaults={
            "program": case.program,
            "source": Referral.Source.SELF,
            "reason": "Synthetic",
            "consent_to_contact": True,
            "stage": Referral.Stage.ASSESSMENT,
            "created_by": case.ivy,
        },
    )
    return {"code": referral.code}


def program_kwargs(case: Any, target: str) -> dict:
    from openiop.programs.models import Program

    if target == "missing":
        return {"code": uuid.uuid4()}
    if target == "own":
        return {"code": case.program.code}
    other, _ = Program.objects.get_or_create(name="Adolescent IOP")
    return {"code": other.code}


def _scheduled(kind: str) -> Callable[[Any, str], dict]:
    """kwargs for a scheduling object: Pat's side ("own"), Quinn's side ("other"), missing."""
    from openiop.scheduling.tests.base import matrix_fixture

    def kwargs(case: Any, target: str) -> dict:
        if target == "missing":
            return {"code": uuid.uuid4()}
        fixture = matrix_fixture(case)
        if kind == "program":
            return {"code": fixture["program" if target == "own" else "other_program"].code}
        return {"code": fixture[target][kind].code}

    return kwargs


def makeup_kwargs(case: Any, target: str) -> dict:
    return {**chart_kwargs(case, target), "session_code": uuid.uuid4()}


def feed_kwargs(case: Any, target: str) -> dict:
    return {"token": "not-a-feed-token"}


STAFF_OK = {r: 200 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")}
PARTICIPANTS_404 = {"pat": 404, "quinn": 404}
# Write access to Pat's chart: her team (Sam read-only), the director and intake coordinator.
STAFF_CHART_WRITERS = {
    "dana": 200,
    "alvarez": 200,
    "sam": 403,
    "chen": 404,
    "ivy": 200,
    "admin": 404,
    **PARTICIPANTS_404,
}
STAFF_CHART_READERS = {**STAFF_CHART_WRITERS, "sam": 200}
OTHER_STAFF_READERS = {"dana": 200, "chen": 200, "ivy": 200}
# Answering a questionnaire: the participant it is assigned to, or staff with write access.
CHART_WRITERS = {**STAFF_CHART_WRITERS, "pat": 200}
OTHER_WRITERS = {**OTHER_STAFF_READERS, "quinn": 200}
NOBODY = {r: 404 for r in ROLES if r != "anonymous"}
VIDEO_STAFF_OK = {"alvarez": 200, "sam": 200}
VIDEO_STAFF_302 = {"alvarez": 302, "sam": 302}
VIDEO_OTHER_OK = {"chen": 200, "quinn": 200}


def include_parts(package: str, parts: tuple[str, ...]) -> tuple[dict[str, Entry], set[str]]:
    """The rows of an app whose parts keep theirs beside them in `<package>.authz_<part>`
    (MATRIX, and optionally GET_AND_POST), so two parts never edit the same dict. A part
    without pages may have no module; a typo inside one still fails, as does a repeated row."""
    import importlib

    matrix: dict[str, Entry] = {}
    get_and_post: set[str] = set()
    for part in parts:
        name = f"{package}.authz_{part}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        overlap = set(matrix) & set(module.MATRIX)
        assert not overlap, f"{name} repeats matrix rows: {sorted(overlap)}"
        matrix.update(module.MATRIX)
        get_and_post.update(getattr(module, "GET_AND_POST", set()))
    return matrix, get_and_post
