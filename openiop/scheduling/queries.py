"""Reads that span several models: personal weeks, a clinician's sessions, the ledger, make-up
offers, the week grid.

Each function runs a fixed number of queries however large the program grows.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.lib.hours import LedgerEntry, WeekLedger, week_bounds, week_ledger, week_start
from openiop.participants.models import Participant
from openiop.programs import licensure
from openiop.programs.hooks import BookedSession
from openiop.programs.models import Group, GroupFacilitator, Program
from openiop.scheduling.models import Booking, Enrollment, Holiday, Session


def participant_bookings(participant: Participant, start: datetime, end: datetime) -> list[Booking]:
    """The participant's booked sessions (cancelled ones included) starting in [start, end)."""
    return list(
        Booking.objects.filter(
            participant=participant,
            status=Booking.Status.BOOKED,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .select_related("session", "session__clinician", "session__group")
        .order_by("session__starts_at")
    )


def program_groups(programs: QuerySet[Program]) -> list[Group]:
    """The active groups of `programs` with their waitlist counted, in one query: the
    schedule's way into each roster for those who run the program."""
    return list(
        Group.objects.filter(track__program__in=programs, is_active=True)
        .select_related("track")
        .annotate(
            waitlisted=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)
            )
        )
        .order_by("track__program__name", "track__name", "name")
    )


def clinician_sessions(clinician: User) -> QuerySet[Session]:
    """Scheduled sessions a clinician runs: their appointments and groups they facilitate."""
    facilitated = GroupFacilitator.objects.filter(clinician=clinician).values("group_id")
    return Session.objects.filter(
        Q(clinician=clinician) | Q(group_id__in=facilitated), status=Session.Status.SCHEDULED
    )


def ledger(participant: Participant, day: date, *, now: datetime | None = None) -> WeekLedger:
    """The hours ledger of `day`'s week (Monday-Sunday in the program's timezone)."""
    program = participant.program
    assert program is not None
    start, end = week_bounds(day, program.timezone)
    entries = [
        LedgerEntry(
            start=booking.session.starts_at,
            end=booking.session.ends_at,
            attended_minutes=booking.minutes_attended,
            cancelled=booking.session.is_cancelled,
        )
        for booking in participant_bookings(participant, start, end)
    ]
    return week_ledger(
        entries, minimum_hours=program.weekly_minimum_hours, now=now or timezone.now()
    )


def makeup_offers(participant: Participant, day: date) -> list[Session]:
    """Sessions left this week in other groups of the participant's tracks, with a free seat,
    no overlap with the participant's own sessions, and a facilitator licensed where the
    participant lives (programs.licensure: an offer the video door would refuse is no offer)."""
    program = participant.program
    assert program is not None
    _, end = week_bounds(day, program.timezone)
    now = timezone.now()
    seated = Enrollment.objects.filter(participant=participant, status=Enrollment.Status.SEATED)
    own = Booking.objects.filter(
        participant=participant,
        status=Booking.Status.BOOKED,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gte=now,
        session__starts_at__lt=end,
    ).values_list("session__starts_at", "session__ends_at")
    busy = list(own)
    candidates = (
        Session.objects.filter(
            group__track__in=seated.values("group__track"),
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=end,
        )
        .exclude(group__in=seated.values("group"))
        .exclude(
            pk__in=Booking.objects.filter(
                participant=participant, status=Booking.Status.BOOKED
            ).values("session_id")
        )
        .select_related("group")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
        .order_by("starts_at")
    )
    sessions = list(candidates)
    covered = licensure.group_covering_states({s.group_id for s in sessions if s.group_id}, day)
    return [
        session
        for session in sessions
        if session.group is not None
        and session.booked < session.group.capacity
        and participant.home_state in covered[session.group.pk]
        and not any(s < session.ends_at and session.starts_at < e for s, e in busy)
    ]


def closed_days(program_ids: list[int], start: date, end: date) -> dict[int, set[date]]:
    """Each program's holidays in [start, end], in one query (intake's business days)."""
    days: dict[int, set[date]] = {pk: set() for pk in program_ids}
    for program_id, day in Holiday.objects.filter(
        program_id__in=program_ids, date__range=(start, end)
    ).values_list("program_id", "date"):
        days[program_id].add(day)
    return days


@dataclass
class GridRow:
    group: Group
    waitlisted: int
    days: list[list[Session]] = field(default_factory=list)
    url: str = ""  # the group's roster, set by the view


_booked_count = (
    Booking.objects.filter(session=OuterRef("pk"), status=Booking.Status.BOOKED)
    .order_by()
    .values("session")
    .annotate(n=Count("pk"))
    .values("n")
)


def week_grid(program: Program, monday: date) -> tuple[list[date], list[GridRow]]:
    """Groups x days of one week: sessions, seats used and free, and waitlist length."""
    days = [monday + timedelta(days=offset) for offset in range(7)]
    groups = list(
        Group.objects.filter(track__program=program, is_active=True)
        .select_related("track")
        .annotate(
            waitlisted=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)
            )
        )
        .order_by("track__name", "name")
    )
    sessions = (
        Session.objects.filter(
            program=program, kind=Session.Kind.GROUP, local_date__range=(days[0], days[-1])
        )
        # A count per session from the (session, status) index: a join and GROUP BY over every
        # booking made PostgreSQL read the whole table (90 ms at 285,000 bookings; now 6 ms).
        .annotate(booked=Coalesce(Subquery(_booked_count), 0))
        .order_by("starts_at")
    )
    by_group: dict[int, list[list[Session]]] = {g.pk: [[] for _ in days] for g in groups}
    for session in sessions:
        if session.group_id in by_group:
            by_group[session.group_id][(session.local_date - monday).days].append(session)
    rows = [GridRow(group=g, waitlisted=g.waitlisted, days=by_group[g.pk]) for g in groups]
    return days, rows


# Pages step a week either way and convert the week's days to UTC: dates near the ends of
# the calendar (e.g. ?week=9999-12-31) would overflow, so they count as no date at all.
_WEEK_MARGIN = timedelta(days=31)


def parse_week(value: str | None, today: date) -> date:
    """The Monday of the ISO date in `value` (e.g. ?week=2026-03-09), else of `today`."""
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    if not date.min + _WEEK_MARGIN <= day <= date.max - _WEEK_MARGIN:
        day = today
    return week_start(day)


def sessions_on_days(program: Program, first_day: date, last_day: date) -> list[Session]:
    """Scheduled group sessions ahead on the program's local dates first_day..last_day, with
    `booked` (how many people are booked): what closing those days would cancel."""
    return list(
        Session.objects.filter(
            program=program,
            kind=Session.Kind.GROUP,
            status=Session.Status.SCHEDULED,
            local_date__range=(first_day, last_day),
            starts_at__gt=timezone.now(),
        )
        .select_related("group")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
        .order_by("starts_at", "pk")
    )


def upcoming_booked_sessions(group: Group) -> list[BookedSession]:
    """The group's sessions ahead with bookings, for program setup's facilitator warning
    (registered with openiop.programs.hooks by SchedulingConfig.ready)."""
    rows = (
        Session.objects.filter(
            group=group, status=Session.Status.SCHEDULED, starts_at__gt=timezone.now()
        )
        .annotate(booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
        .filter(booked__gt=0)
        .order_by("starts_at")
    )
    return [
        BookedSession(
            code=str(row.code),
            starts_at=row.starts_at,
            booked=row.booked,
            url=reverse("scheduling:session", args=[row.code]),
        )
        for row in rows
    ]


def other_waitlists(participant: Participant, group: Group) -> list[str]:
    """The names of the program's other groups `participant` waits for: the places in line that
    seating them in `group` gives up (actions.enrollment.admit). One query."""
    return list(
        Enrollment.objects.filter(
            participant=participant,
            group__track__program_id=group.track.program_id,
            status=Enrollment.Status.WAITLISTED,
        )
        .exclude(group=group)
        .order_by("group__name")
        .values_list("group__name", flat=True)
    )


def fitting_groups(participant: Participant, group: Group, day: date) -> list[Group]:
    """Other open groups of `group`'s track with a free seat whose facilitators cover the
    participant's home state on `day` (programs.licensure): what the admit page suggests.
    Two queries."""
    candidates = list(
        Group.objects.filter(
            track_id=group.track_id, is_active=True, seated_count__lt=F("capacity")
        )
        .exclude(pk=group.pk)
        .exclude(
            pk__in=Enrollment.objects.filter(
                participant=participant, status__in=Enrollment.OPEN_STATUSES
            ).values("group_id")
        )
        .order_by("name")
    )
    covered = licensure.group_covering_states([g.pk for g in candidates], day)
    return [g for g in candidates if participant.home_state in covered[g.pk]]


@dataclass
class LicensureConflict:
    enrollment: Enrollment
    state: str
    state_name: str


def licensure_conflicts(group: Group, day: date) -> list[LicensureConflict]:
    """Seated and waiting members who live where none of the group's facilitators is licensed
    on `day` (after a facilitator change, a lapsed licence, or a director's override).
    Two queries."""
    covered = licensure.group_covering_states([group.pk], day)[group.pk]
    enrollments = (
        group.enrollments.filter(status__in=Enrollment.OPEN_STATUSES)
        .exclude(participant__home_state__in=covered)
        .select_related("participant")
        .order_by("participant__family_name", "participant__given_name", "pk")
    )
    return [
        LicensureConflict(
            enrollment=e,
            state=e.participant.home_state,
            state_name=licensure.state_name(e.participant.home_state),
        )
        for e in enrollments
    ]


@dataclass
class TrackGroup:
    group: Group
    states: list[str]


def track_groups(group: Group, day: date) -> list[TrackGroup]:
    """The open groups of `group`'s track with the states their facilitators cover on `day`,
    for the admit page. Two queries."""
    groups = list(Group.objects.filter(track_id=group.track_id, is_active=True).order_by("name"))
    covered = licensure.group_covering_states([g.pk for g in groups], day)
    return [TrackGroup(group=g, states=sorted(covered[g.pk])) for g in groups]
