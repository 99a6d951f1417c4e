"""Who is on call, from the program's weekly rota and its overrides, in the program's zone.

An override (someone covering leave or a holiday) replaces the weekly pattern for its stretch.
Only people who still hold the program's on-call seat count (openiop.programs.access): a
deactivated clinician on the rota is nobody, and an override whose person is nobody leaves the
weekly pattern in force (someone is still reached).

A weekly shift is read on the program's wall clock (`shift_covers`): Monday 17:00 to Tuesday
09:00 covers every moment whose local time falls in that span. On the spring-forward night the
skipped hour is covered by nobody because it does not exist; on the fall-back night the
repeated hour is covered by whoever holds that wall-clock time, twice. A hand-over at a time
inside the repeated hour (01:30) therefore hands over, back and over again: nobody is left
out, and the coverage check (openiop.safety.coverage) reads the rota the same way.
"""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, tzinfo

from openiop.accounts.models import User
from openiop.lib.recurrence import get_zone
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat, why_not
from openiop.programs.models import Program
from openiop.safety.models import OnCallOverride, OnCallShift

# The smallest stretch after a moment: an override overlaps [moment, moment + this) exactly
# when it is in force at that moment.
_INSTANT = timedelta(microseconds=1)


def shift_covers(shift: OnCallShift, local: datetime) -> bool:
    """Does the weekly shift cover this wall-clock moment (in the program's zone)?

    A shift that ends at or before its start runs past midnight into the next day (Sunday's
    night shift into Monday); one whose end equals its start lasts 24 hours.
    """
    weekday = local.isoweekday()
    clock = local.time().replace(tzinfo=None)
    overnight = shift.ends_at <= shift.starts_at
    if not overnight:
        return shift.weekday == weekday and shift.starts_at <= clock < shift.ends_at
    next_day = shift.weekday % 7 + 1
    return (shift.weekday == weekday and clock >= shift.starts_at) or (
        next_day == weekday and clock < shift.ends_at
    )


def people_at(
    shifts: Iterable[OnCallShift],
    overrides: Iterable[OnCallOverride],
    moment: datetime,
    zone: tzinfo,
) -> list[User]:
    """Who of these (already eligible) rows is on call at `moment`: the overrides in force,
    else the weekly shifts; each person once, in rota order. No queries (rows carry their
    clinician)."""
    covering: Sequence[OnCallOverride | OnCallShift] = [
        override for override in overrides if override.starts_at <= moment < override.ends_at
    ]
    if not covering:
        local = moment.astimezone(zone)
        covering = [shift for shift in shifts if shift_covers(shift, local)]
    people: dict[int, User] = {}
    for row in covering:
        people.setdefault(row.clinician_id, row.clinician)
    return list(people.values())


def eligible_shifts(
    program_ids: Iterable[int], weekdays: Iterable[int] | None = None
) -> list[OnCallShift]:
    """The weekly shifts of these programs whose person may hold the seat (one query)."""
    rows = OnCallShift.objects.filter(
        programs.eligible_holders(Seat.ON_CALL, "clinician", "program")
    ).filter(program_id__in=list(program_ids))
    if weekdays is not None:
        rows = rows.filter(weekday__in=list(weekdays))
    return list(
        rows.select_related("clinician").order_by("program_id", "weekday", "starts_at", "id")
    )


def eligible_overrides(
    program_ids: Iterable[int], starts_at: datetime, ends_at: datetime
) -> list[OnCallOverride]:
    """Overrides that overlap [starts_at, ends_at) and whose person may hold the seat."""
    return list(
        OnCallOverride.objects.filter(
            programs.eligible_holders(Seat.ON_CALL, "clinician", "program")
        )
        .filter(program_id__in=list(program_ids), starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("clinician")
        .order_by("program_id", "starts_at", "id")
    )


def on_call_at(program: Program, moment: datetime) -> list[User]:
    """Who is on call for `program` at `moment` (aware), overrides first, in rota order.

    Two queries, whatever the size of the rota.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("on_call_at needs an aware datetime.")
    zone = get_zone(program.timezone)
    overrides = eligible_overrides([program.pk], moment, moment + _INSTANT)
    # Only this weekday's shifts and the day before's (its overnight shifts run into today).
    today = moment.astimezone(zone).isoweekday()
    yesterday = (today - 2) % 7 + 1
    shifts = eligible_shifts([program.pk], weekdays=(today, yesterday))
    return people_at(shifts, overrides, moment, zone)


def holds_on_call_seat(user: User, program: Program) -> bool:
    return programs.holds_seat(user, Seat.ON_CALL, program.pk)


def bad_rota_seats() -> Iterator[str]:
    """Rota rows whose person may no longer hold the on-call seat (for `manage.py
    check_seats`): codes and roles only, never names."""
    rows: list[OnCallShift | OnCallOverride] = [
        *OnCallShift.objects.select_related("clinician", "program").order_by("pk"),
        *OnCallOverride.objects.select_related("clinician", "program").order_by("pk"),
    ]
    for row in rows:
        user, program = row.clinician, row.program
        if programs.holds_seat(user, Seat.ON_CALL, program.pk):
            continue
        what = (
            f"shift {row.pk} ({row.get_weekday_display()} {row.starts_at:%H:%M})"
            if isinstance(row, OnCallShift)
            else f"override {row.pk} (from {row.starts_at:%Y-%m-%dT%H:%MZ})"
        )
        yield (
            f"on-call rota: program {program.code}, {what}, user {user.code} ({user.role}): "
            f"{why_not(user, Seat.ON_CALL, program)}"
        )
