"""Reads that span models: qualifying program days, units used, the charges list.

A unit is one qualifying program day: a day on which the participant's attended minutes, over
all their booked sessions of the program that were not cancelled, reach the program's daily
minimum (`Program.daily_minimum_hours`; CLINICAL.md §3: payers define their own per-day
minimums, e.g. AHCCCS S9480 ≥ 3 h/day, so it is configuration). CLINICAL.md names no other unit
for per-diem IOP authorizations, so authorizations count these days.

Every function runs a fixed number of queries however many participants there are.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet, Sum

from openiop.billing.models import Authorization, Charge
from openiop.lib.hours import hours_to_minutes
from openiop.programs.models import Program
from openiop.scheduling.models import Booking, Session

# participant id -> {day: attended minutes} for qualifying days only
Days = dict[int, dict[date, int]]


def attended_bookings(program: Program, first: date, last: date) -> QuerySet[Booking]:
    return Booking.objects.filter(
        participant__program=program,
        session__program=program,
        status=Booking.Status.BOOKED,
        session__status=Session.Status.SCHEDULED,
        session__local_date__gte=first,
        session__local_date__lte=last,
        minutes_attended__gt=0,
    )


def qualifying_days(
    program: Program, first: date, last: date, participant_ids: Iterable[int] | None = None
) -> Days:
    """One query: each participant's days in [first, last] that meet the daily minimum."""
    minimum = hours_to_minutes(program.daily_minimum_hours)
    bookings = attended_bookings(program, first, last)
    if participant_ids is not None:
        bookings = bookings.filter(participant_id__in=list(participant_ids))
    rows = (
        bookings.values("participant_id", "session__local_date")
        .annotate(total=Sum("minutes_attended"))
        .filter(total__gte=max(minimum, 1))
        .order_by()
    )
    days: Days = defaultdict(dict)
    for row in rows:
        days[row["participant_id"]][row["session__local_date"]] = row["total"]
    return days


@dataclass(frozen=True)
class Usage:
    authorization: Authorization
    used: int
    # the days counted, in order (the n-th is unit n)
    days: tuple[date, ...]

    @property
    def remaining(self) -> int:
        return self.authorization.units_approved - self.used

    @property
    def exceeded(self) -> bool:
        return self.used > self.authorization.units_approved


def usage(authorizations: list[Authorization], *, until: date | None = None) -> dict[int, Usage]:
    """Units used by each authorization (its participant's qualifying days inside its dates,
    up to `until`): one query per program whatever the number of authorizations."""
    by_program: dict[int, list[Authorization]] = defaultdict(list)
    for auth in authorizations:
        by_program[auth.participant.program_id].append(auth)  # type: ignore[index]
    result: dict[int, Usage] = {}
    for auths in by_program.values():
        program = auths[0].participant.program
        assert program is not None
        first = min(a.starts_on for a in auths)
        last = max(a.ends_on for a in auths)
        if until is not None:
            last = min(last, until)
        days = (
            qualifying_days(program, first, last, {a.participant_id for a in auths})
            if first <= last
            else {}
        )
        for auth in auths:
            end = auth.ends_on if until is None else min(auth.ends_on, until)
            counted = tuple(
                sorted(d for d in days.get(auth.participant_id, {}) if auth.starts_on <= d <= end)
            )
            result[auth.pk] = Usage(auth, len(counted), counted)
    return result


def charges(
    program: Program,
    first: date,
    last: date,
    *,
    status: str = "",
    payer_code: str = "",
) -> QuerySet[Charge]:
    """The charges list (one query with its joins)."""
    qs = Charge.objects.filter(program=program, service_date__gte=first, service_date__lte=last)
    if status:
        qs = qs.filter(status=status)
    if payer_code:
        qs = qs.filter(coverage__plan__payer__code=payer_code)
    return qs.select_related(
        "participant", "coverage__plan__payer", "authorization", "batch"
    ).order_by("service_date", "participant__family_name", "participant__given_name", "pk")
