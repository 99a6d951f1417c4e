"""Reads that span models: qualifying program days, units used, the charges list.

A unit is one qualifying program day: a day on which the participant's attended minutes, over
all their booked sessions of the program that were not cancelled, reach the daily minimum of
the track they attended that day (`Track.effective_daily_minimum_hours`: the track's own value,
or the program's when the track has none; CLINICAL.md §3: payers define their own per-day
minimums, e.g. AHCCCS S9480 >= 3 h/day, so it is configuration). CLINICAL.md names no other
unit for per-diem IOP authorizations, so authorizations count these days.

Which minimum a day is held to, taking the stricter answer wherever there is a choice (billing
a day that does not qualify is a false claim; leaving one out is lost revenue, the lesser harm):

- the day's minutes are added up over every attended session, group or individual;
- a day with group sessions of two tracks (a move between tracks, or a seat in two groups) is
  held to the highest of those tracks' minimums, never to the lower one, and the minutes are
  not split by track;
- a day with no group session (individual, family or psychiatry appointments only) has no
  track, so it is held to the highest minimum of the program and any of its tracks.

Every function runs a fixed number of queries however many participants there are.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    DecimalField,
    F,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from openiop.billing.models import Authorization, Charge, Coverage
from openiop.participants.models import Participant
from openiop.programs.models import Program, Track
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
    hours = DecimalField(max_digits=3, decimal_places=1)
    program_minimum = Value(program.daily_minimum_hours, output_field=hours)
    # For a day without a group session: the highest minimum of the program and its tracks.
    strictest = Greatest(
        program_minimum,
        Coalesce(
            Subquery(
                Track.objects.filter(program=program)
                .values("program")
                .annotate(most=Max("daily_minimum_hours"))
                .values("most")
            ),
            program_minimum,
        ),
        output_field=hours,
    )
    # NULL for an individual session (no group, so no track): Max skips it.
    track_minimum = Case(
        When(session__group__isnull=True, then=Value(None, output_field=hours)),
        default=Coalesce("session__group__track__daily_minimum_hours", program_minimum),
        output_field=hours,
    )
    bookings = attended_bookings(program, first, last)
    if participant_ids is not None:
        bookings = bookings.filter(participant_id__in=list(participant_ids))
    rows = (
        bookings.values("participant_id", "session__local_date")
        .annotate(
            total=Sum("minutes_attended"),
            minimum=Coalesce(Max(track_minimum), strictest, output_field=hours),
        )
        # Attended bookings have minutes, so a zero minimum still needs some attendance.
        .filter(total__gte=F("minimum") * 60)
        .order_by()
    )
    days: Days = defaultdict(dict)
    for row in rows:
        days[row["participant_id"]][row["session__local_date"]] = row["total"]
    return days


def overlapping_coverage(
    participant: Participant,
    *,
    priority: str,
    starts_on: date,
    ends_on: date | None,
    excluding: Coverage | None = None,
) -> Coverage | None:
    """The participant's first coverage at `priority` whose dates overlap [starts_on, ends_on]
    (None: no end date), other than `excluding`."""
    found = Coverage.objects.filter(participant=participant, priority=priority).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    )
    if ends_on is not None:
        found = found.filter(starts_on__lte=ends_on)
    if excluding is not None:
        found = found.exclude(pk=excluding.pk)
    return found.select_related("plan__payer").order_by("starts_on").first()


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
