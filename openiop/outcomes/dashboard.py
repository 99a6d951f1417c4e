"""The program outcomes dashboard's figures, computed in the database (docs/outcomes.md).

Every figure is an aggregate over one family of rows, asked in one query per family whatever
the size of the program: stays (episodes of care) for admissions, census and deterioration;
signed discharge summaries for discharges, length of stay and the outcomes at discharge;
bookings for attendance; participant-weeks for hours against the program's minimum. The
first and last score of each stay are correlated subqueries (one row each, by index), and
the change rules' thresholds (assessments.ChangeRule) go into the aggregate as parameters, so
no row comes back to Python to be judged.

Each family's rows are an ORM queryset (the filters, the joins, the subqueries); the
aggregate around it is a short SELECT over that queryset's SQL, because the outcome counts
compare several of its columns row by row and SQL cannot aggregate over an aggregate
(participant-weeks) in one ORM call. The SQL is plain enough for PostgreSQL and the demo's
SQLite alike (one date difference differs, see `_days_between`).

A breakdown (by track, group or primary clinician) runs the same families grouped by the
participant's track, group or clinician: a participant's group is that of their latest stay
in a group of the program, their clinician the first primary clinician on their care team,
so each participant falls in exactly one row of each breakdown. The filters use the same
definitions, so a breakdown row and the page filtered to that row agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, connections, transaction
from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncDate, TruncWeek

from openiop.accounts.models import User
from openiop.assessments.change import Method, Rule, active_rules
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.discharge.models import DischargeSummary
from openiop.intake.models import EpisodeOfCare
from openiop.participants.models import CareTeamMember
from openiop.programs.models import Group, Program, Track
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking, Enrollment, Session

DEFAULT_DAYS = 90
# The measures judged at discharge, PHQ-9 first (the program's primary outcome).
MEASURES = (("phq-9", "PHQ-9"), ("gad-7", "GAD-7"))
ATTENDED = (Booking.Attendance.PRESENT, Booking.Attendance.LATE, Booking.Attendance.LEFT_EARLY)
DIMENSIONS = ("track", "group", "clinician")
DIMENSION_LABELS = {"track": "Track", "group": "Group", "clinician": "Primary clinician"}
NONE_LABELS = {
    "track": "No group",
    "group": "No group",
    "clinician": "No primary clinician",
}


# The question ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which participants and days: the period is in the program's zone, both ends included."""

    start: date
    end: date
    track: Track | None = None
    group: Group | None = None
    clinician: User | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def default_period(today: date) -> tuple[date, date]:
    """The last 90 days, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def day_bounds(program: Program, start: date, end: date) -> tuple[datetime, datetime]:
    """The instants the period starts and ends at in the program's zone (end exclusive)."""
    zone = ZoneInfo(program.timezone)
    return (
        datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC),
    )


def whole_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The Monday-to-Sunday weeks wholly inside the period, as (first Monday, last Sunday)."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    last = end - timedelta(days=(end.weekday() + 1) % 7)
    return (first, last) if first < last else None


# The answer -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`numerator` of `denominator`; the page always shows both."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return 100 * self.numerator / self.denominator

    @property
    def shown(self) -> str:
        """e.g. "79 %"; "no data" when nobody is counted (never a misleading 0 %)."""
        percent = self.percent
        return "no data" if percent is None else f"{percent:.0f} %"


def _plain(number: Decimal) -> str:
    """10.00 → "10", 7.50 → "7.5"."""
    return f"{number.normalize():f}"


@dataclass(frozen=True)
class Outcome:
    """One measure at discharge: the first score of the stay against the last one on or
    before the discharge date, judged by the measure's active change rule."""

    key: str
    label: str
    rule: Rule | None
    discharged: int
    with_baseline: int
    judged: int  # two or more scores: a baseline and a different, later last score
    improved: Rate | None
    deteriorated: Rate | None
    response: Rate | None
    remission: Rate | None

    @property
    def one_score_only(self) -> int:
        return self.with_baseline - self.judged

    @property
    def caseness(self) -> str:
        if self.rule is None or self.rule.caseness_at_least is None:
            return ""
        return _plain(self.rule.caseness_at_least)

    @property
    def remission_below(self) -> str:
        if self.rule is None or self.rule.remission_below is None:
            return ""
        return _plain(self.rule.remission_below)

    @property
    def response_percent(self) -> str:
        if self.rule is None or self.rule.response_fraction is None:
            return ""
        return _plain(self.rule.response_fraction * 100)

    @property
    def threshold(self) -> str:
        """How reliable change is judged, in words."""
        if self.rule is None:
            return ""
        if self.rule.method == Method.RCI:
            return f"a change beyond {self.rule.threshold:.1f} points (RCI > 1.96)"
        if self.rule.method == Method.POINTS:
            return f"a change of {self.rule.reliable_change_points} points or more"
        return ""


@dataclass(frozen=True)
class Row:
    """The figures of one set of participants: the whole filtered program, or one breakdown
    row (a track, a group, a primary clinician)."""

    label: str
    in_care: int = 0
    admissions: int = 0
    census: int = 0
    discharges: int = 0
    los_days: float | None = None
    attendance: Rate = Rate(0, 0)
    excused: int = 0
    unrecorded: int = 0
    weeks: int = 0
    minutes: int = 0
    meeting_minimum: Rate = Rate(0, 0)
    deterioration: Rate = Rate(0, 0)
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    @property
    def hours_per_week(self) -> float | None:
        return self.minutes / 60 / self.weeks if self.weeks else None

    @property
    def phq9(self) -> Outcome | None:
        """The primary outcome, for the breakdown tables."""
        return self.outcomes.get("phq-9")

    @property
    def los_weeks(self) -> float | None:
        return self.los_days / 7 if self.los_days is not None else None


@dataclass(frozen=True)
class Dashboard:
    program: Program
    filters: Filters
    minimum_hours: Decimal
    weeks: tuple[date, date] | None
    total: Row
    breakdowns: dict[str, list[Row]]
    rules: dict[str, Rule | None]


# The queries ----------------------------------------------------------------------------------


def _dimension(program: Program, name: str, ref: str = "participant_id") -> Subquery:
    """The participant's track, group (their latest stay in a group of the program) or
    primary clinician, as a correlated subquery on the row's participant."""
    if name == "clinician":
        return Subquery(
            CareTeamMember.objects.filter(
                participant_id=OuterRef(ref), role=CareTeamMember.Role.PRIMARY_CLINICIAN
            )
            .order_by("added_at", "id")
            .values("clinician_id")[:1]
        )
    stays = Enrollment.objects.filter(
        participant_id=OuterRef(ref),
        group__track__program=program,
        status__in=[Enrollment.Status.SEATED, Enrollment.Status.ENDED],
    ).order_by("-starts_on", "-id")
    column = "group__track_id" if name == "track" else "group_id"
    return Subquery(stays.values(column)[:1])


def _scoped(
    qs: QuerySet[Any], program: Program, filters: Filters, by: str | None
) -> tuple[QuerySet[Any], str | None]:
    """`qs` narrowed by the filters; with `by`, annotated with that breakdown's key. Returns the
    queryset and the name of the key's column (None without a breakdown)."""
    wanted = {
        "track": filters.track,
        "group": filters.group,
        "clinician": filters.clinician,
    }
    for name, chosen in wanted.items():
        if chosen is not None or name == by:
            qs = qs.annotate(**{f"dim_{name}": _dimension(program, name)})
        if chosen is not None:
            qs = qs.filter(**{f"dim_{name}": chosen.pk})
    return qs, (f"dim_{by}" if by else None)


def _aggregate(
    qs: QuerySet[Any], key: str | None, select: list[tuple[str, str]], params: list[Any]
) -> dict[Any, dict[str, Any]]:
    """Run `SELECT <key>, <select...> FROM (<qs>) GROUP BY <key>`: one row per key (one row,
    keyed None, without a key). `select` is (alias, SQL over qs's columns); `params` fill its
    placeholders."""
    connection = connections[qs.db]
    inner, inner_params = qs.order_by().query.get_compiler(using=qs.db).as_sql()
    # Keep the inner rows a fence: merged into the outer SELECT, each of the score subqueries
    # would be run again for every outer expression that reads its column (PostgreSQL and
    # SQLite both leave a subquery with an OFFSET unmerged).
    inner += " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
    quote = connection.ops.quote_name
    columns = ", ".join(f"{expression} AS {quote(alias)}" for alias, expression in select)
    key_sql = quote(key) if key else "NULL"
    sql = f"SELECT {key_sql} AS dim, {columns} FROM ({inner}) AS t"  # noqa: S608 (no input)
    if key:
        sql += f" GROUP BY {key_sql}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *inner_params])
        names = ["dim"] + [alias for alias, _ in select]
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in cursor.fetchall()}


def _count_if(condition: str) -> str:
    return f"COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0)"


def _days_between(db: str, later: str, earlier: str) -> str:
    if connections[db].vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"(julianday({later}) - julianday({earlier}))"


def _stays(program: Program, filters: Filters, by: str | None) -> dict[Any, dict[str, Any]]:
    """Stays in care at some time in the period: admissions, census at its end, and those
    with a deterioration alert opened in it."""
    start, end = day_bounds(program, filters.start, filters.end)
    qs = EpisodeOfCare.objects.filter(program=program, admitted_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=start)
    )
    qs, key = _scoped(qs, program, filters, by)
    alerts = SafetyAlert.objects.filter(
        participant_id=OuterRef("participant_id"),
        kind=SafetyAlert.Kind.DETERIORATION,
        opened_at__gte=start,
        opened_at__lt=end,
    )
    qs = qs.annotate(
        admitted_in=Case(When(admitted_at__gte=start, then=1), default=0),
        at_end=Case(When(Q(ended_at__isnull=True) | Q(ended_at__gte=end), then=1), default=0),
        deteriorated=Case(When(Exists(alerts), then=1), default=0),
    ).values(*(["admitted_in", "at_end", "deteriorated"] + ([key] if key else [])))
    return _aggregate(
        qs,
        key,
        [
            ("in_care", "COUNT(*)"),
            ("admissions", "COALESCE(SUM(admitted_in), 0)"),
            ("census", "COALESCE(SUM(at_end), 0)"),
            ("deteriorated", "COALESCE(SUM(deteriorated), 0)"),
        ],
        [],
    )


def _standing(assignment: Any) -> QuerySet[Response]:
    """The scored response that stands for an assignment: submitted, not corrected since, with
    a total (an incomplete one is never a score)."""
    return (
        Response.objects.filter(
            assignment_id=assignment,
            status=Response.Status.SUBMITTED,
            replaced_by__isnull=True,
        )
        .annotate(value=Cast(KT("scores__total__value"), IntegerField()))
        .filter(value__isnull=False)
    )


def _score(program: Program, instruments: list[int], *, last: bool) -> Subquery:
    """The first (or last) scored assignment on the measure (`instruments`: its versions) of
    the discharged stay's participant, from the stay's referral to the end of the discharge
    date in the program's zone. A response is timed by its assignment's completion, so a
    correction stands at the time of the response it corrects (as in
    `openiop.assessments.change`); the index `assignment_series` (participant, instrument,
    completed_at) makes this a short index scan whatever the participant's history."""
    order = ("-completed_at", "-id") if last else ("completed_at", "id")
    return Subquery(
        Assignment.objects.filter(
            participant_id=OuterRef("participant_id"),
            instrument_id__in=instruments,
            status=Assignment.Status.COMPLETED,
            completed_at__gte=OuterRef("episode__referral__created_at"),
        )
        .annotate(day=TruncDate("completed_at", tzinfo=ZoneInfo(program.timezone)))
        .filter(day__lte=OuterRef("discharged_on"))
        .filter(Exists(_standing(OuterRef("pk"))))
        .order_by(*order)
        .values("id")[:1]
    )


def _value(assignment_column: str) -> Subquery:
    """The total of the response that stands for the assignment in `assignment_column`."""
    return Subquery(
        Response.objects.filter(
            assignment_id=OuterRef(assignment_column),
            status=Response.Status.SUBMITTED,
            replaced_by__isnull=True,
        )
        .annotate(total=Cast(KT("scores__total__value"), IntegerField()))
        .values("total")[:1]
    )


def _discharges(
    program: Program,
    filters: Filters,
    by: str | None,
    rules: dict[str, Rule | None],
    instruments: dict[str, list[int]],
) -> dict[Any, dict[str, Any]]:
    """Signed discharges dated in the period: their count, length of stay and, per measure,
    baseline and final score judged by the rule."""
    qs = DischargeSummary.objects.filter(
        status=DischargeSummary.Status.SIGNED,
        episode__program=program,
        discharged_on__gte=filters.start,
        discharged_on__lte=filters.end,
    )
    qs, key = _scoped(qs, program, filters, by)
    columns = ["admitted_on", "discharged_on"]
    for index, (measure, _) in enumerate(MEASURES):
        versions = instruments.get(measure, [])
        qs = qs.annotate(
            **{
                f"b{index}_id": _score(program, versions, last=False),
                f"f{index}_id": _score(program, versions, last=True),
            }
        ).annotate(**{f"b{index}": _value(f"b{index}_id"), f"f{index}": _value(f"f{index}_id")})
        columns += [f"b{index}_id", f"f{index}_id", f"b{index}", f"f{index}"]
    qs = qs.values(*(columns + ([key] if key else [])))

    select = [
        ("discharges", "COUNT(*)"),
        ("los_days", f"AVG({_days_between(qs.db, 'discharged_on', 'admitted_on')})"),
    ]
    params: list[Any] = []
    for index, (measure, _) in enumerate(MEASURES):
        b, f = f"b{index}", f"f{index}"
        judged = f"{b}_id IS NOT NULL AND {f}_id <> {b}_id"
        select += [
            (f"{b}_with", _count_if(f"{b}_id IS NOT NULL")),
            (f"{b}_judged", _count_if(judged)),
        ]
        rule = rules.get(measure)
        if rule is None:
            continue
        # Improvement is the fall for scales where lower is better.
        gain = f"({b} - {f})" if rule.lower_is_better else f"({f} - {b})"
        if rule.method != Method.NONE:
            threshold = rule.threshold
            assert threshold is not None
            # The RCI is reliable beyond 1.96 (strictly); a point threshold at or above.
            beyond = ">" if rule.method == Method.RCI else ">="
            select += [
                (f"{b}_improved", _count_if(f"{judged} AND {gain} {beyond} %s")),
                (f"{b}_worse", _count_if(f"{judged} AND -{gain} {beyond} %s")),
            ]
            params += [threshold, threshold]
        if rule.response_fraction is not None and rule.lower_is_better:
            # Response: at least the fraction of the baseline gone, in whole percent.
            select += [
                (f"{b}_resp_of", _count_if(f"{judged} AND {b} > 0")),
                (f"{b}_resp", _count_if(f"{judged} AND {b} > 0 AND ({b} - {f}) * 100 >= %s * {b}")),
            ]
            params.append(int(rule.response_fraction * 100))
        if rule.remission_below is not None:
            case = f"{judged} AND {b} >= %s" if rule.caseness_at_least is not None else judged
            case_params = (
                [float(rule.caseness_at_least)] if rule.caseness_at_least is not None else []
            )
            select += [
                (f"{b}_rem_of", _count_if(case)),
                (f"{b}_rem", _count_if(f"{case} AND {f} < %s")),
            ]
            params += [*case_params, *case_params, float(rule.remission_below)]
    return _aggregate(qs, key, select, params)


def _bookings(program: Program, filters: Filters, now: datetime) -> QuerySet[Booking]:
    """Places in the program's sessions held in the period and over by `now`."""
    return Booking.objects.filter(
        status=Booking.Status.BOOKED,
        session__program=program,
        session__status=Session.Status.SCHEDULED,
        session__local_date__gte=filters.start,
        session__local_date__lte=filters.end,
        session__ends_at__lte=now,
    )


def _attendance(
    program: Program, filters: Filters, by: str | None, now: datetime
) -> dict[Any, dict[str, Any]]:
    qs, key = _scoped(_bookings(program, filters, now), program, filters, by)
    qs = qs.values(*(["attendance"] + ([key] if key else [])))
    attended = ", ".join(f"'{a}'" for a in ATTENDED)
    return _aggregate(
        qs,
        key,
        [
            ("attended", _count_if(f"attendance IN ({attended})")),
            ("absent", _count_if("attendance = 'absent'")),
            ("excused", _count_if("attendance = 'excused'")),
            ("unrecorded", _count_if("attendance = ''")),
        ],
        [],
    )


def _weeks(
    program: Program, filters: Filters, by: str | None, now: datetime
) -> dict[Any, dict[str, Any]]:
    """Participant-weeks (Monday to Sunday, wholly inside the period) with at least one place
    in a session: the minutes attended in each, against the program's weekly minimum."""
    weeks = whole_weeks(filters.start, filters.end)
    if weeks is None:
        return {}
    inside = Filters(weeks[0], weeks[1], filters.track, filters.group, filters.clinician)
    qs, key = _scoped(_bookings(program, inside, now), program, filters, by)
    group_by = ["participant_id", "week"] + ([key] if key else [])
    qs = (
        qs.annotate(week=TruncWeek("session__local_date"))
        .values(*group_by)
        .annotate(minutes=Sum(Coalesce("minutes_attended", Value(0))))
        .values(*group_by, "minutes")
        .order_by()
    )
    minimum = int(program.weekly_minimum_hours * 60)
    return _aggregate(
        qs,
        key,
        [
            ("weeks", "COUNT(*)"),
            ("minutes", "COALESCE(SUM(minutes), 0)"),
            ("meeting", _count_if("minutes >= %s")),
        ],
        [minimum],
    )


# Putting it together --------------------------------------------------------------------------


def _outcomes(values: dict[str, Any], discharged: int, rules: dict[str, Rule | None]) -> dict:
    def rate(name: str, of: str) -> Rate | None:
        if name not in values:
            return None
        return Rate(int(values[name]), int(values[of]))

    outcomes = {}
    for index, (measure, label) in enumerate(MEASURES):
        b = f"b{index}"
        outcomes[measure] = Outcome(
            key=measure,
            label=label,
            rule=rules.get(measure),
            discharged=discharged,
            with_baseline=int(values.get(f"{b}_with") or 0),
            judged=int(values.get(f"{b}_judged") or 0),
            improved=rate(f"{b}_improved", f"{b}_judged"),
            deteriorated=rate(f"{b}_worse", f"{b}_judged"),
            response=rate(f"{b}_resp", f"{b}_resp_of"),
            remission=rate(f"{b}_rem", f"{b}_rem_of"),
        )
    return outcomes


def _row(
    label: str,
    key: Any,
    parts: dict[str, dict[Any, dict[str, Any]]],
    rules: dict[str, Rule | None],
) -> Row:
    stays = parts["stays"].get(key, {})
    discharges = parts["discharges"].get(key, {})
    attendance = parts["attendance"].get(key, {})
    weeks = parts["weeks"].get(key, {})
    discharged = int(discharges.get("discharges") or 0)
    attended, absent = int(attendance.get("attended") or 0), int(attendance.get("absent") or 0)
    los = discharges.get("los_days")
    in_care = int(stays.get("in_care") or 0)
    return Row(
        label=label,
        in_care=in_care,
        admissions=int(stays.get("admissions") or 0),
        census=int(stays.get("census") or 0),
        discharges=discharged,
        los_days=float(los) if los is not None and discharged else None,
        attendance=Rate(attended, attended + absent),
        excused=int(attendance.get("excused") or 0),
        unrecorded=int(attendance.get("unrecorded") or 0),
        weeks=int(weeks.get("weeks") or 0),
        minutes=int(weeks.get("minutes") or 0),
        meeting_minimum=Rate(int(weeks.get("meeting") or 0), int(weeks.get("weeks") or 0)),
        deterioration=Rate(int(stays.get("deteriorated") or 0), in_care),
        outcomes=_outcomes(discharges, discharged, rules),
    )


def _families(
    program: Program,
    filters: Filters,
    by: str | None,
    now: datetime,
    rules: dict[str, Rule | None],
    instruments: dict[str, list[int]],
) -> dict[str, dict[Any, dict[str, Any]]]:
    return {
        "stays": _stays(program, filters, by),
        "discharges": _discharges(program, filters, by, rules, instruments),
        "attendance": _attendance(program, filters, by, now),
        "weeks": _weeks(program, filters, by, now),
    }


@dataclass(frozen=True)
class Choices:
    """What the filters offer: the program's tracks and groups, and its primary clinicians."""

    tracks: list[Track]
    groups: list[Group]
    clinicians: list[User]


def choices(program: Program) -> Choices:
    """Three queries whatever the size of the program."""
    tracks = list(Track.objects.filter(program=program).order_by("name"))
    groups = list(
        Group.objects.filter(track__program=program)
        .select_related("track")
        .order_by("track__name", "name")
    )
    clinicians = list(
        User.objects.filter(
            care_team_roles__role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            care_team_roles__participant__program=program,
        )
        .distinct()
        .order_by("family_name", "given_name", "id")
    )
    return Choices(tracks, groups, clinicians)


def _without_jit() -> None:
    """Turn PostgreSQL's JIT off for the rest of this transaction. The planner prices each
    stay's score subqueries by the participant's whole history, so the discharge query looks
    expensive enough to compile; compiling took 5-6 s on the 1M-response benchmark, running it
    a few milliseconds."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def measure_instruments() -> dict[str, list[int]]:
    """The ids of every loaded version of each measure (one query)."""
    found: dict[str, list[int]] = {}
    rows = InstrumentDefinition.objects.filter(key__in=[key for key, _ in MEASURES])
    for key, pk in rows.values_list("key", "pk"):
        found.setdefault(key, []).append(pk)
    return found


def dashboard(
    program: Program,
    filters: Filters,
    *,
    now: datetime,
    options: Choices,
    breakdowns: tuple[str, ...] = DIMENSIONS,
) -> Dashboard:
    """The figures for the filtered program, and one breakdown per name in `breakdowns`.

    Queries: JIT off, the rules, the measures' versions, four for the whole and four per
    breakdown; none per participant.
    """
    with transaction.atomic():
        _without_jit()
        found = active_rules([key for key, _ in MEASURES])
        rules = {key: found.get((key, "total")) for key, _ in MEASURES}
        instruments = measure_instruments()
        total = _row("All", None, _families(program, filters, None, now, rules, instruments), rules)
        labels: dict[str, dict[Any, str]] = {
            "track": {t.pk: t.name for t in options.tracks},
            "group": {g.pk: f"{g.name} ({g.track.name})" for g in options.groups},
            "clinician": {c.pk: c.display_name for c in options.clinicians},
        }
        rows: dict[str, list[Row]] = {}
        for name in breakdowns:
            parts = _families(program, filters, name, now, rules, instruments)
            keys = set().union(*(part.keys() for part in parts.values()))
            named = {key: labels[name].get(key) or NONE_LABELS[name] for key in keys}
            rows[name] = [
                _row(named[key], key, parts, rules)
                for key in sorted(keys, key=lambda k: (k is None, named[k]))
            ]
    return Dashboard(
        program=program,
        filters=filters,
        minimum_hours=program.weekly_minimum_hours,
        weeks=whole_weeks(filters.start, filters.end),
        total=total,
        breakdowns=rows,
        rules=rules,
    )
