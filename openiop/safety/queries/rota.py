"""What the rota page shows, read in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openiop.accounts.models import User
from openiop.lib.recurrence import get_zone
from openiop.lib.timefmt import abbreviation, clock
from openiop.programs.eligibility import Seat, may_hold, why_not
from openiop.programs.models import Program
from openiop.safety import coverage
from openiop.safety.models import OnCallOverride, OnCallShift
from openiop.safety.rota import people_at


@dataclass
class ShiftRow:
    shift: OnCallShift
    starts_label: str  # "9:00 AM EDT"
    ends_label: str  # "5:00 PM EDT" or "9:00 AM EDT next day"
    # Why the person no longer counts (deactivated, not clinical staff); empty when they do.
    not_counted: str


@dataclass
class DayRows:
    weekday: int
    name: str
    day: date
    rows: list[ShiftRow]


@dataclass
class OverrideRow:
    override: OnCallOverride
    not_counted: str


@dataclass
class RotaPage:
    program: Program
    zone: str
    days: list[DayRows]
    on_call_now: list[User]
    overrides: list[OverrideRow]
    this_week: coverage.Coverage
    next_week: coverage.Coverage
    monday: date


def _reading(day: date, wall: time, zone_name: str, *, next_day: bool = False) -> str:
    zone = get_zone(zone_name)
    local = datetime.combine(day + timedelta(days=1 if next_day else 0), wall, tzinfo=zone)
    text = f"{clock(local)} {abbreviation(local)}"
    return f"{text} next day" if next_day else text


def _not_counted(user: User, program: Program) -> str:
    return "" if may_hold(user, Seat.ON_CALL, program) else why_not(user, Seat.ON_CALL, program)


def rota_page(program: Program, *, now: datetime) -> RotaPage:
    """The weekly pattern (this week's dates, for the zone's abbreviation), who is on call now,
    overrides not yet over, and the gaps and overlaps of this week and next."""
    zone = get_zone(program.timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.isoweekday() - 1)
    shifts = list(
        OnCallShift.objects.filter(program=program)
        .select_related("clinician")
        .order_by("weekday", "starts_at", "id")
    )
    overrides = list(
        OnCallOverride.objects.filter(program=program, ends_at__gt=now)
        .select_related("clinician")
        .order_by("starts_at", "id")
    )
    days = []
    for weekday, name in OnCallShift.Weekday.choices:
        day = monday + timedelta(days=weekday - 1)
        rows = [
            ShiftRow(
                shift=shift,
                starts_label=_reading(day, shift.starts_at, program.timezone),
                ends_label=_reading(
                    day,
                    shift.ends_at,
                    program.timezone,
                    next_day=shift.ends_at <= shift.starts_at,
                ),
                not_counted=_not_counted(shift.clinician, program),
            )
            for shift in shifts
            if shift.weekday == weekday
        ]
        days.append(DayRows(weekday, str(name), day, rows))
    counted_shifts = [s for s in shifts if not _not_counted(s.clinician, program)]
    counted_overrides = [o for o in overrides if not _not_counted(o.clinician, program)]
    this_start, this_end = coverage.week_bounds(program, monday)
    next_start, next_end = coverage.week_bounds(program, monday + timedelta(days=7))
    # Overrides that began before now still count for the rest of this week.
    earlier = list(
        OnCallOverride.objects.filter(
            program=program, ends_at__gt=this_start, ends_at__lte=now
        ).select_related("clinician")
    )
    counted_earlier = [o for o in earlier if not _not_counted(o.clinician, program)]
    return RotaPage(
        program=program,
        zone=program.timezone,
        days=days,
        on_call_now=people_at(counted_shifts, counted_overrides, now, zone),
        overrides=[OverrideRow(o, _not_counted(o.clinician, program)) for o in overrides],
        this_week=coverage.pieces_coverage(
            program, this_start, this_end, counted_shifts, counted_earlier + counted_overrides
        ),
        next_week=coverage.pieces_coverage(
            program, next_start, next_end, counted_shifts, counted_overrides
        ),
        monday=monday,
    )
