"""Matrix rows of measurement schedules and completion rates (included by authz.py): the
program's directors only; everyone else gets 404, as for a program that does not exist."""

import uuid
from typing import Any

from openiop.tests.authz import ROLES, Entry

GET_AND_POST: set[str] = set()

SIGNED_IN_404 = {r: 404 for r in ROLES if r != "anonymous"}


def _other_program(case: Any) -> Any:
    from openiop.programs.models import Program

    program, _ = Program.objects.get_or_create(name="Outcomes matrix program")
    return program


def program_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    program = case.program if target == "own" else _other_program(case)
    return {"code": program.code}


def add_kwargs(case: Any, target: str) -> dict:
    """The program, with the shipped instruments loaded (a browser test's flush on the same
    test database removes what the data migration loaded)."""
    from openiop.assessments.actions import load_shipped_instruments

    load_shipped_instruments(acting_user=None)
    return program_kwargs(case, target)


def schedule_kwargs(case: Any, target: str) -> dict:
    from openiop.outcomes.models import MeasurementSchedule

    if target == "missing":
        return {"code": uuid.uuid4()}
    program = case.program if target == "own" else _other_program(case)
    schedule = MeasurementSchedule.objects.filter(program=program, is_active=True).first()
    if schedule is None:
        schedule = MeasurementSchedule.objects.create(
            program=program,
            instrument_key="phq-9",
            at_admission=True,
            starts_on="2026-01-01",
            created_by=case.dana,
        )
    return {"code": schedule.code}


MATRIX: dict[str, Entry] = {
    "outcomes:schedules_index": Entry(
        "GET",
        {
            **{r: 200 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")},
            "pat": 404,
            "quinn": 404,
        },
        audits=0,
    ),
    "outcomes:schedules": Entry("GET", {**SIGNED_IN_404, "dana": 200}, program_kwargs, audits=0),
    "outcomes:schedule_add": Entry(
        "POST",
        {**SIGNED_IN_404, "dana": 302},
        add_kwargs,
        data={"instrument_key": "pcl-5", "at_admission": "on"},
    ),
    "outcomes:schedule_defaults": Entry("POST", {**SIGNED_IN_404, "dana": 302}, program_kwargs),
    "outcomes:schedule_deactivate": Entry("POST", {**SIGNED_IN_404, "dana": 302}, schedule_kwargs),
    # Names participants and how much of what was asked of them they completed: one read.
    "outcomes:completion": Entry("GET", {**SIGNED_IN_404, "dana": 200}, program_kwargs, audits=1),
}
