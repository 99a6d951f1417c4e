"""Who is on call, from the program's weekly rota and its overrides, in the program's zone.

An override (someone covering leave or a holiday) replaces the weekly pattern for its stretch.
Only people who still hold the program's on-call seat count (openiop.programs.access): a
deactivated clinician on the rota is nobody.
"""

from datetime import datetime

from django.db.models import Q

from openiop.accounts.models import User
from openiop.lib.recurrence import get_zone
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat
from openiop.programs.models import Program
from openiop.safety.models import OnCallOverride, OnCallShift


def _eligible(users: list[User], program: Program) -> list[User]:
    return [user for user in users if programs.holds_seat(user, Seat.ON_CALL, program.pk)]


def shift_covers(shift: OnCallShift, local: datetime) -> bool:
    """Does the weekly shift cover this wall-clock moment (in the program's zone)?"""
    weekday = local.isoweekday()
    clock = local.time().replace(tzinfo=None)
    overnight = shift.ends_at <= shift.starts_at
    if not overnight:
        return shift.weekday == weekday and shift.starts_at <= clock < shift.ends_at
    next_day = shift.weekday % 7 + 1
    return (shift.weekday == weekday and clock >= shift.starts_at) or (
        next_day == weekday and clock < shift.ends_at
    )


def on_call_at(program: Program, moment: datetime) -> list[User]:
    """Who is on call for `program` at `moment` (aware), overrides first, in rota order."""
    overrides = list(
        OnCallOverride.objects.filter(program=program, starts_at__lte=moment, ends_at__gt=moment)
        .select_related("clinician")
        .order_by("starts_at", "id")
    )
    if overrides:
        people = _eligible([override.clinician for override in overrides], program)
        if people:
            return people
    local = moment.astimezone(get_zone(program.timezone))
    shifts = (
        OnCallShift.objects.filter(program=program)
        .filter(Q(weekday=local.isoweekday()) | Q(weekday=(local.isoweekday() - 2) % 7 + 1))
        .select_related("clinician")
    )
    return _eligible([shift.clinician for shift in shifts if shift_covers(shift, local)], program)
