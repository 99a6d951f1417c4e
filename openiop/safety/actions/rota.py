"""Writes to a program's on-call rota and safety policy: each one atomic and audited.

The forms (openiop.safety.forms.rota) refuse people who may not hold the on-call seat; these
actions check again, so no other caller can seat them either.
"""

from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.programs.eligibility import Seat, may_hold, why_not
from openiop.programs.models import Program
from openiop.safety.models import OnCallOverride, OnCallShift, SafetyPolicy


def _check_seat(user: User, program: Program) -> None:
    if not may_hold(user, Seat.ON_CALL, program):
        raise ValidationError(why_not(user, Seat.ON_CALL, program))


@transaction.atomic
def add_shift(
    program: Program,
    *,
    clinician: User,
    weekday: int,
    starts_at: time,
    ends_at: time,
    acting_user: User,
) -> OnCallShift:
    _check_seat(clinician, program)
    shift = OnCallShift.objects.create(
        program=program, clinician=clinician, weekday=weekday, starts_at=starts_at, ends_at=ends_at
    )
    record(
        "safety.rota_shift_added",
        acting_user=acting_user,
        target=program,
        details={"shift": shift.pk, "clinician": str(clinician.code), "program": str(program.code)},
    )
    return shift


@transaction.atomic
def remove_shift(shift: OnCallShift, *, acting_user: User) -> None:
    details = {
        "shift": shift.pk,
        "clinician": str(shift.clinician.code),
        "program": str(shift.program.code),
    }
    program = shift.program
    shift.delete()
    record("safety.rota_shift_removed", acting_user=acting_user, target=program, details=details)


@transaction.atomic
def add_override(
    program: Program,
    *,
    clinician: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    acting_user: User,
) -> OnCallOverride:
    _check_seat(clinician, program)
    if ends_at <= starts_at:
        raise ValidationError("An override must end after it starts.")
    override = OnCallOverride.objects.create(
        program=program, clinician=clinician, starts_at=starts_at, ends_at=ends_at, reason=reason
    )
    record(
        "safety.rota_override_added",
        acting_user=acting_user,
        target=program,
        details={
            "override": override.pk,
            "clinician": str(clinician.code),
            "program": str(program.code),
            "from": starts_at.isoformat(),
            "to": ends_at.isoformat(),
        },
    )
    return override


@transaction.atomic
def remove_override(override: OnCallOverride, *, acting_user: User) -> None:
    details = {
        "override": override.pk,
        "clinician": str(override.clinician.code),
        "program": str(override.program.code),
    }
    program = override.program
    override.delete()
    record("safety.rota_override_removed", acting_user=acting_user, target=program, details=details)


POLICY_FIELDS = (
    "emergency_minutes",
    "high_minutes",
    "business_day_ends_at",
    "business_days",
    "backup",
    "acuity_rules",
    "crisis_phrases",
)


@transaction.atomic
def save_policy(program: Program, *, values: dict[str, Any], acting_user: User) -> SafetyPolicy:
    """Set the program's safety policy (made on first save); records the fields that changed."""
    policy, created = SafetyPolicy.objects.select_for_update().get_or_create(program=program)
    changed = []
    for name in POLICY_FIELDS:
        if name in values and getattr(policy, name) != values[name]:
            setattr(policy, name, values[name])
            changed.append(name)
    policy.full_clean()
    policy.save()
    record(
        "safety.policy_changed",
        acting_user=acting_user,
        target=program,
        details={"program": str(program.code), "fields": sorted(changed), "created": created},
    )
    return policy
