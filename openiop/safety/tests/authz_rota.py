"""Matrix rows of the on-call rota pages: the program's directors only, everyone else 404.

"own" is the personas' program (Dana directs it); "other" is a program nobody here directs.
"""

import uuid
from datetime import time
from typing import Any

from openiop.tests.authz import ROLES, Entry

NOBODY_BUT_DANA = {role: 404 for role in ROLES if role != "anonymous"}


def _program(case: Any, target: str) -> Any:
    from openiop.programs.models import Program

    if target == "own":
        return case.program
    other, _ = Program.objects.get_or_create(name="Rota matrix: a program Dana does not direct")
    return other


def rota_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"program": str(uuid.uuid4())}
    return {"program": str(_program(case, target).code)}


def shift_kwargs(case: Any, target: str) -> dict:
    from openiop.safety.models import OnCallShift

    if target == "missing":
        return {"program": str(uuid.uuid4()), "shift": 999999}
    program = _program(case, target)
    shift, _ = OnCallShift.objects.get_or_create(
        program=program,
        clinician=case.chen,
        weekday=1,
        defaults={"starts_at": time(9), "ends_at": time(17)},
    )
    return {"program": str(program.code), "shift": shift.pk}


def override_kwargs(case: Any, target: str) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    from openiop.safety.models import OnCallOverride

    if target == "missing":
        return {"program": str(uuid.uuid4()), "override": 999999}
    program = _program(case, target)
    override = OnCallOverride.objects.filter(program=program).first()
    if override is None:
        override = OnCallOverride.objects.create(
            program=program,
            clinician=case.chen,
            starts_at=timezone.now() + timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=2),
        )
    return {"program": str(program.code), "override": override.pk}


MATRIX: dict[str, Entry] = {
    "safety:rota": Entry("GET", {**NOBODY_BUT_DANA, "dana": 200}, rota_kwargs, audits=0),
    # Rows are posted without a person (the matrix's data cannot name one): the form answers
    # 400, which shows that the gate let Dana through and nobody else.
    "safety:rota_add_shift": Entry(
        "POST",
        {**NOBODY_BUT_DANA, "dana": 400},
        rota_kwargs,
        data={
            "shift-weekday": "2",
            "shift-starts_at": "09:00",
            "shift-ends_at": "17:00",
        },
    ),
    "safety:rota_remove_shift": Entry("POST", {**NOBODY_BUT_DANA, "dana": 302}, shift_kwargs),
    "safety:rota_add_override": Entry(
        "POST",
        {**NOBODY_BUT_DANA, "dana": 400},
        rota_kwargs,
        data={"override-starts_at": "2030-01-01T09:00", "override-ends_at": "2030-01-01T17:00"},
    ),
    "safety:rota_remove_override": Entry("POST", {**NOBODY_BUT_DANA, "dana": 302}, override_kwargs),
    "safety:rota_policy": Entry(
        "POST",
        {**NOBODY_BUT_DANA, "dana": 302},
        rota_kwargs,
        data={
            "policy-emergency_minutes": "5",
            "policy-high_minutes": "30",
            "policy-business_day_ends_at": "17:00",
            "policy-business_days": ["1", "2", "3", "4", "5"],
        },
    ),
}
