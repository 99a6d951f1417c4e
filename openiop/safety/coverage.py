"""Is every hour of the week covered by the on-call rota?

`gaps(program, week_of)` lists the stretches of the week starting on the Monday of `week_of`
(midnight to midnight in the program's zone: 168 hours, 167 in the week the clocks spring
forward, 169 in the week they fall back) that nobody covers, counting overrides and only people
who hold the on-call seat; `overlaps` lists the stretches where two or more people are on call
at once (two weekly shifts, or two overrides). Both read the rota exactly as
`openiop.safety.rota.on_call_at` does, so "covered" here means "on_call_at finds someone".

How: the week is cut at every moment where the answer could change (each wall-clock time a
shift starts or ends, each midnight, every override's ends, each DST change), and each piece is
asked once, in memory. Two queries per call (shifts and overrides), whatever the rota's size;
`uncovered_soon` answers for several programs with the same two.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from openiop.accounts.models import User
from openiop.lib.recurrence import get_zone
from openiop.programs import access as programs_access
from openiop.programs.models import Program
from openiop.safety.models import OnCallOverride, OnCallShift
from openiop.safety.rota import eligible_overrides, eligible_shifts, people_at

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Stretch:
    starts_at: datetime
    ends_at: datetime
    # Who is on call during an overlap (display names, rota order); empty for a gap.
    people: tuple[str, ...] = field(default=())

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


@dataclass(frozen=True)
class Piece:
    starts_at: datetime
    ends_at: datetime
    people: tuple[User, ...]


def week_bounds(program: Program, week_of: date) -> tuple[datetime, datetime]:
    """Monday 00:00 of `week_of`'s week to the next Monday 00:00, in the program's zone."""
    zone = get_zone(program.timezone)
    monday = week_of - timedelta(days=week_of.isoweekday() - 1)
    return _midnight(monday, zone), _midnight(monday + WEEK, zone)


def _midnight(day: date, zone: tzinfo) -> datetime:
    # A zone whose clocks jump at midnight (a few do) starts that day at the jump: zoneinfo
    # reads the missing 00:00 in the old offset, which is that very instant.
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _instants(day: date, wall: time, zone: tzinfo) -> list[datetime]:
    """The moments whose wall-clock reading is `wall` on `day`: none in a spring-forward gap,
    two in a fall-back repeat."""
    found = []
    for fold in (0, 1):
        local = datetime.combine(day, wall, tzinfo=zone).replace(fold=fold)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            found.append(instant)
    return found


def _transitions(starts_at: datetime, ends_at: datetime, zone: tzinfo) -> list[datetime]:
    """The instants in [starts_at, ends_at) where the zone's offset changes (to the second)."""
    found = []
    step = timedelta(hours=1)
    moment = starts_at
    while moment < ends_at:
        following = min(moment + step, ends_at)
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            found.append(high.replace(microsecond=0))
        moment = following
    return found


def pieces(
    program: Program,
    starts_at: datetime,
    ends_at: datetime,
    shifts: Sequence[OnCallShift],
    overrides: Sequence[OnCallOverride],
) -> list[Piece]:
    """[starts_at, ends_at) cut where the answer to "who is on call?" may change, each piece
    with its people. `shifts` and `overrides` are the program's eligible rows."""
    zone = get_zone(program.timezone)
    cuts = {starts_at, ends_at}
    walls = {time.min} | {s.starts_at for s in shifts} | {s.ends_at for s in shifts}
    first = starts_at.astimezone(zone).date() - timedelta(days=1)
    last = ends_at.astimezone(zone).date() + timedelta(days=1)
    day = first
    while day <= last:
        for wall in walls:
            cuts.update(_instants(day, wall, zone))
        day += timedelta(days=1)
    for override in overrides:
        cuts.update((override.starts_at, override.ends_at))
    cuts.update(_transitions(starts_at, ends_at, zone))
    ordered = sorted(cut for cut in cuts if starts_at <= cut <= ends_at)
    found = []
    for begin, end in pairwise(ordered):
        found.append(Piece(begin, end, tuple(people_at(shifts, overrides, begin, zone))))
    return found


def _merge(found: Iterable[Piece], keep: str) -> list[Stretch]:
    stretches: list[Stretch] = []
    for piece in found:
        count = len(piece.people)
        if (keep == "gaps" and count) or (keep == "overlaps" and count < 2):
            continue
        names = tuple(person.display_name for person in piece.people)
        if stretches and stretches[-1].ends_at == piece.starts_at and stretches[-1].people == names:
            stretches[-1] = Stretch(stretches[-1].starts_at, piece.ends_at, names)
        else:
            stretches.append(Stretch(piece.starts_at, piece.ends_at, names))
    return stretches


@dataclass(frozen=True)
class Coverage:
    """One stretch of time read against the rota."""

    starts_at: datetime
    ends_at: datetime
    gaps: list[Stretch]
    overlaps: list[Stretch]

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def uncovered_hours(self) -> float:
        return sum(gap.hours for gap in self.gaps)

    @property
    def covered(self) -> bool:
        """Every hour of the stretch has someone on call."""
        return not self.gaps


def coverage_between(program: Program, starts_at: datetime, ends_at: datetime) -> Coverage:
    """Gaps and overlaps of [starts_at, ends_at) (two queries)."""
    shifts = eligible_shifts([program.pk])
    overrides = eligible_overrides([program.pk], starts_at, ends_at)
    return pieces_coverage(program, starts_at, ends_at, shifts, overrides)


def pieces_coverage(
    program: Program,
    starts_at: datetime,
    ends_at: datetime,
    shifts: Sequence[OnCallShift],
    overrides: Sequence[OnCallOverride],
) -> Coverage:
    """Gaps and overlaps of [starts_at, ends_at) from rows already read (no queries): the
    program's eligible shifts and the eligible overrides that overlap the stretch."""
    found = pieces(program, starts_at, ends_at, shifts, overrides)
    return Coverage(starts_at, ends_at, _merge(found, "gaps"), _merge(found, "overlaps"))


def week(program: Program, week_of: date) -> Coverage:
    """The week (Monday to Monday in the program's zone) that holds `week_of`."""
    return coverage_between(program, *week_bounds(program, week_of))


def gaps(program: Program, week_of: date) -> list[Stretch]:
    return week(program, week_of).gaps


def overlaps(program: Program, week_of: date) -> list[Stretch]:
    return week(program, week_of).overlaps


def every_hour_covered(program: Program, week_of: date) -> bool:
    return week(program, week_of).covered


def uncovered_soon(
    programs: Sequence[Program], *, now: datetime, days: int = 7
) -> list[tuple[Program, Coverage]]:
    """The programs whose rota leaves a gap in the next `days` days from `now`, each with its
    coverage of that stretch. Two queries for all of them together."""
    if not programs:
        return []
    ends_at = now + timedelta(days=days)
    ids = [program.pk for program in programs]
    shifts = eligible_shifts(ids)
    overrides = eligible_overrides(ids, now, ends_at)
    found = []
    for program in programs:
        mine = [s for s in shifts if s.program_id == program.pk]
        theirs = [o for o in overrides if o.program_id == program.pk]
        coverage = pieces_coverage(program, now, ends_at, mine, theirs)
        if not coverage.covered:
            found.append((program, coverage))
    return found


@dataclass(frozen=True)
class RotaStatus:
    program: Program
    coverage: Coverage


def next_days_for_director(user: User, *, now: datetime, days: int = 7) -> list[RotaStatus]:
    """The rota of each program `user` directs over the next `days` days, for the warning on
    the director's home page: three queries whatever the number of programs."""
    from_programs = programs_access.directed_program_ids(user)
    directed = list(Program.objects.filter(pk__in=from_programs).order_by("name", "id"))
    if not directed:
        return []
    ends_at = now + timedelta(days=days)
    ids = [program.pk for program in directed]
    shifts = eligible_shifts(ids)
    overrides = eligible_overrides(ids, now, ends_at)
    return [
        RotaStatus(
            program,
            pieces_coverage(
                program,
                now,
                ends_at,
                [s for s in shifts if s.program_id == program.pk],
                [o for o in overrides if o.program_id == program.pk],
            ),
        )
        for program in directed
    ]
