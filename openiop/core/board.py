"""The director's operations board: one program's week on one page (docs/operations.md).

Every line links to the page that acts on it. A fixed number of queries however many
participants the program has (bench/operations_board.py measures it on 2,000):

- census: each active group's seats taken and waitlist (one query);
- admissions and discharges of this week, Monday to Sunday in the program's zone (one);
- at risk of missing the weekly minimum: everyone with an active episode of care (admitted,
  so never a waitlisted or screening referral), their week's bookings summed by the hours
  ledger (`openiop.lib.hours.week_ledger`, as scheduling's ledger page does), and the make-up
  status: a make-up already booked this week, open make-up sessions in their tracks, or none
  left (four queries);
- the group waitlist (one) and the referrals waitlisted at intake (one);
- unsigned notes by author (two: notes and group notes, drafts as on the team worklist) and
  overdue plan reviews by primary clinician (`careplans.reviews`, then one for the clinicians);
- open safety alerts by acuity (one);
- intake referrals past their target (`intake.pipeline.overdue_count`, three);
- sections other apps add through `register_section` (e.g. billing's authorizations expiring
  within 7 days), each with its own fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from openiop.accounts.models import User
from openiop.careplans import reviews
from openiop.careplans.models import TreatmentPlan
from openiop.intake import pipeline
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.lib.hours import LedgerEntry, WeekLedger, week_bounds, week_ledger
from openiop.lib.recurrence import get_zone
from openiop.notes.models import GroupNote, Note
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs import access as programs
from openiop.programs import licensure
from openiop.programs.models import Group, Program
from openiop.safety.models import Acuity, SafetyAlert
from openiop.scheduling.models import Booking, Enrollment, Session

ROW_LIMIT = 50
# What a line shows of a person: loading whole charts (phone numbers parsed on load) costs
# most of the board's time on a large program.
NAME_FIELDS = ("code", "given_name", "family_name", "preferred_name")


def _names(path: str) -> list[str]:
    return [f"{path}__{name}" for name in NAME_FIELDS]


def directed_programs(user: User) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=programs.directed_program_ids(user)).order_by("name")


def get_program_for_board(user: User, code: str) -> Program:
    """A program the user directs; everyone else (its other staff included) gets a 404."""
    try:
        return directed_programs(user).get(code=code)
    except (Program.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


# Sections other apps add ---------------------------------------------------------------------


@dataclass
class Line:
    text: str
    url: str
    detail: str = ""
    moment: datetime | None = None
    warn: bool = False


@dataclass
class ExtraSection:
    """A section another app adds to the board: a heading and its lines (each a link)."""

    key: str
    title: str
    lines: list[Line]
    empty: str = "Nothing here."


SectionProvider = Callable[[Program, datetime], ExtraSection | None]
_sections: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> None:
    """Add a section to every program's board. core is the top layer: it may import billing
    (or any app) and register that app's section here, e.g. authorizations expiring within
    7 days; a provider returns None to show nothing. Each must ask a fixed number of queries."""
    if provider not in _sections:
        _sections.append(provider)


def unregister_section(provider: SectionProvider) -> None:
    if provider in _sections:
        _sections.remove(provider)


# The board's own sections --------------------------------------------------------------------


@dataclass
class CensusRow:
    group: Group
    seated: int
    waitlisted: int
    url: str


@dataclass
class PersonLine:
    participant: Participant
    url: str
    moment: datetime | None = None
    detail: str = ""


@dataclass
class AtRiskLine:
    participant: Participant
    ledger: WeekLedger
    makeup: str
    url: str


@dataclass
class ClinicianLines:
    clinician: str
    lines: list[Line] = field(default_factory=list)


@dataclass
class AcuityLines:
    label: str
    acuity: int
    lines: list[Line] = field(default_factory=list)


@dataclass
class Board:
    program: Program
    week_start: datetime
    week_end: datetime
    census: list[CensusRow]
    admissions: list[PersonLine]
    discharges: list[PersonLine]
    at_risk: list[AtRiskLine]
    at_risk_count: int
    admitted_count: int
    waitlist: list[PersonLine]
    waitlisted_referrals: int
    unsigned_notes: list[ClinicianLines]
    overdue_reviews: list[ClinicianLines]
    alerts: list[AcuityLines]
    intake_overdue: int
    extra: list[ExtraSection]

    @property
    def seated(self) -> int:
        return sum(row.seated for row in self.census)


def _name(participant: Participant) -> str:
    return participant.staff_name


def _chart(participant: Participant) -> str:
    return reverse("participants:chart", args=[participant.code])


def census(program: Program) -> list[CensusRow]:
    groups = (
        Group.objects.filter(track__program=program, is_active=True)
        .select_related("track")
        .annotate(
            seated=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.SEATED)),
            waitlisted=Count(
                "enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)
            ),
        )
        .order_by("track__name", "name", "id")
    )
    return [
        CensusRow(
            group=g,
            seated=g.seated,  # type: ignore[attr-defined]
            waitlisted=g.waitlisted,  # type: ignore[attr-defined]
            url=reverse("scheduling:roster", args=[g.code]),
        )
        for g in groups
    ]


@dataclass(frozen=True)
class _Booked:
    """One booking of the week, as the ledger and the make-up status need it (no models)."""

    session_id: int
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    makeup: bool
    minutes_attended: int | None


def _makeup_status(
    bookings: list[_Booked],
    seats: list[tuple[int, int]],
    open_sessions: Sequence[Session],
    licensed_for: set[int],
) -> str:
    """`licensed_for`: the groups with a facilitator licensed where the person lives (the
    make-up offers' rule, scheduling.queries.makeup_offers)."""
    if any(b.makeup and not b.cancelled for b in bookings):
        return "Make-up booked"
    own_groups = {group for group, _ in seats}
    tracks = {track for _, track in seats}
    busy = [(b.starts_at, b.ends_at) for b in bookings if not b.cancelled]
    booked = {b.session_id for b in bookings}
    offers = [
        s
        for s in open_sessions
        if s.group is not None
        and s.group.track_id in tracks
        and s.group_id not in own_groups
        and s.group_id in licensed_for
        and s.pk not in booked
        and not any(start < s.ends_at and s.starts_at < end for start, end in busy)
    ]
    if not offers:
        return "No make-up session left this week"
    return f"{len(offers)} make-up session{'s' if len(offers) != 1 else ''} open, none booked"


def at_risk(
    program: Program, start: datetime, end: datetime, now: datetime
) -> tuple[list[AtRiskLine], int, int]:
    """Admitted participants whose week cannot reach the minimum even if they attend
    everything left (`WeekLedger.at_risk`), most short first. Returns (lines, count of them,
    count admitted)."""
    episodes = list(
        EpisodeOfCare.objects.filter(
            program=program,
            status=EpisodeOfCare.Status.ACTIVE,
            participant__discharged_at__isnull=True,
        )
        .select_related("participant")
        .only("participant_id", "participant__home_state", *_names("participant"))
        .order_by("participant__family_name", "participant__given_name", "participant_id")
    )
    admitted = {e.participant_id: e.participant for e in episodes}
    admitted_ids = EpisodeOfCare.objects.filter(
        program=program, status=EpisodeOfCare.Status.ACTIVE
    ).values("participant_id")
    bookings: dict[int, list[_Booked]] = defaultdict(list)
    for row in Booking.objects.filter(
        participant_id__in=admitted_ids,
        status=Booking.Status.BOOKED,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).values_list(
        "participant_id",
        "session_id",
        "session__starts_at",
        "session__ends_at",
        "session__status",
        "source",
        "minutes_attended",
    ):
        participant_id, session_id, starts_at, ends_at, status, source, minutes = row
        bookings[participant_id].append(
            _Booked(
                session_id=session_id,
                starts_at=starts_at,
                ends_at=ends_at,
                cancelled=status == Session.Status.CANCELLED,
                makeup=source == Booking.Source.MAKEUP,
                minutes_attended=minutes,
            )
        )
    flagged: list[tuple[int, WeekLedger]] = []
    for pk in admitted:
        entries = [
            LedgerEntry(
                start=b.starts_at,
                end=b.ends_at,
                attended_minutes=b.minutes_attended,
                cancelled=b.cancelled,
            )
            for b in bookings[pk]
        ]
        week = week_ledger(entries, minimum_hours=program.weekly_minimum_hours, now=now)
        if week.at_risk:
            flagged.append((pk, week))
    flagged.sort(key=lambda item: (-item[1].shortfall_minutes, item[0]))
    shown = flagged[:ROW_LIMIT]
    seats: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for participant_id, group_id, track_id in Enrollment.objects.filter(
        participant_id__in=[pk for pk, _ in shown], status=Enrollment.Status.SEATED
    ).values_list("participant_id", "group_id", "group__track_id"):
        seats[participant_id].append((group_id, track_id))
    open_sessions = [
        s
        for s in Session.objects.filter(
            program=program,
            group__isnull=False,
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lt=end,
        )
        .select_related("group")
        .annotate(booked=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
        .order_by("starts_at")
        if s.group is not None and s.booked < s.group.capacity  # type: ignore[attr-defined]
    ]
    covered = licensure.group_covering_states(
        {s.group_id for s in open_sessions if s.group_id},
        now.astimezone(get_zone(program.timezone)).date(),
    )
    lines = [
        AtRiskLine(
            participant=admitted[pk],
            ledger=week,
            makeup=_makeup_status(
                bookings[pk],
                seats[pk],
                open_sessions,
                {g for g, states in covered.items() if admitted[pk].home_state in states},
            ),
            url=reverse("scheduling:ledger", args=[admitted[pk].code]),
        )
        for pk, week in shown
    ]
    return lines, len(flagged), len(admitted)


def week_flow(
    program: Program, start: datetime, end: datetime
) -> tuple[list[PersonLine], list[PersonLine]]:
    episodes = (
        EpisodeOfCare.objects.filter(program=program)
        .filter(
            Q(admitted_at__gte=start, admitted_at__lt=end)
            | Q(ended_at__gte=start, ended_at__lt=end)
        )
        .select_related("participant")
        .only("admitted_at", "ended_at", "end_reason", "participant_id", *_names("participant"))
        .order_by("admitted_at", "id")
    )
    admissions, discharges = [], []
    for episode in episodes:
        url = _chart(episode.participant)
        if start <= episode.admitted_at < end:
            admissions.append(PersonLine(episode.participant, url, episode.admitted_at))
        if episode.ended_at is not None and start <= episode.ended_at < end:
            discharges.append(
                PersonLine(
                    episode.participant,
                    url,
                    episode.ended_at,
                    episode.get_end_reason_display(),
                )
            )
    discharges.sort(key=lambda line: line.moment or start)
    return admissions, discharges


def waitlist(program: Program) -> list[PersonLine]:
    rows = (
        Enrollment.objects.filter(
            group__track__program=program, status=Enrollment.Status.WAITLISTED
        )
        .select_related("participant", "group")
        .only(
            "priority",
            "requested_at",
            "participant_id",
            "group_id",
            "group__code",
            "group__name",
            *_names("participant"),
        )
        .order_by("-priority", "requested_at", "id")[:ROW_LIMIT]
    )
    return [
        PersonLine(
            e.participant,
            reverse("scheduling:roster", args=[e.group.code]),
            e.requested_at,
            f"{e.group.name}" + (f" ({e.get_priority_display().lower()})" if e.priority else ""),
        )
        for e in rows
    ]


def unsigned_notes(program: Program) -> list[ClinicianLines]:
    """Drafts not yet signed, per author (as the team worklist counts them), oldest first."""
    by_author: dict[str, ClinicianLines] = {}
    notes = (
        Note.objects.filter(participant__program=program, status=Note.Status.DRAFT)
        .values("author__given_name", "author__family_name", "author_id")
        .annotate(count=Count("id"), oldest=Min("created_at"))
        .order_by("author__family_name", "author__given_name", "author_id")
    )
    group_notes = (
        GroupNote.objects.filter(session__program=program, status=GroupNote.Status.DRAFT)
        .values("author__given_name", "author__family_name", "author_id")
        .annotate(count=Count("id"), oldest=Min("session__ends_at"))
        .order_by("author__family_name", "author__given_name", "author_id")
    )
    url = reverse("core:team_worklist")
    for kind, rows in (("note", notes), ("group note", group_notes)):
        for row in rows:
            name = f"{row['author__given_name']} {row['author__family_name']}"
            entry = by_author.setdefault(str(row["author_id"]), ClinicianLines(name))
            count = row["count"]
            entry.lines.append(
                Line(
                    text=f"{count} unsigned {kind}{'s' if count != 1 else ''}",
                    url=url,
                    detail="oldest from",
                    moment=row["oldest"],
                )
            )
    return sorted(by_author.values(), key=lambda c: c.clinician)


def overdue_reviews(program: Program, today: date) -> list[ClinicianLines]:
    due = [
        r
        for r in reviews.plans_due_for_review(
            TreatmentPlan.objects.filter(participant__program=program), today=today
        )
        if r.is_overdue
    ]
    names = {
        m.participant_id: m.clinician.display_name
        for m in CareTeamMember.objects.filter(
            participant_id__in=[r.plan.participant_id for r in due],
            role=CareTeamMember.Role.PRIMARY_CLINICIAN,
        ).select_related("clinician")
    }
    grouped: dict[str, ClinicianLines] = {}
    for review in due:
        who = names.get(review.plan.participant_id, "No primary clinician")
        grouped.setdefault(who, ClinicianLines(who)).lines.append(
            Line(
                text=_name(review.plan.participant),
                url=reverse("careplans:plan", args=[review.plan.code]),
                detail=review.reason_label,
                warn=True,
            )
        )
    return sorted(grouped.values(), key=lambda c: c.clinician)


def open_alerts(program: Program) -> list[AcuityLines]:
    alerts = (
        SafetyAlert.objects.filter(participant__program=program, status=SafetyAlert.Status.OPEN)
        .select_related("participant")
        .only("code", "kind", "acuity", "opened_at", "participant_id", *_names("participant"))
        .order_by("-acuity", "opened_at", "id")
    )
    levels = {level: AcuityLines(str(Acuity(level).label), level) for level in Acuity.values}
    for alert in alerts:
        levels[alert.acuity].lines.append(
            Line(
                text=_name(alert.participant),
                url=reverse("safety:alert", args=[alert.code]),
                detail=alert.get_kind_display(),
                moment=alert.opened_at,
                warn=alert.acuity >= Acuity.HIGH,
            )
        )
    return sorted(levels.values(), key=lambda a: -a.acuity)


def board(program: Program, *, now: datetime) -> Board:
    today = now.astimezone(get_zone(program.timezone)).date()
    start, end = week_bounds(today, program.timezone)
    admissions, discharges = week_flow(program, start, end)
    risk, risk_count, admitted = at_risk(program, start, end, now)
    extra = [section for provider in _sections if (section := provider(program, now))]
    return Board(
        program=program,
        week_start=start,
        week_end=end,
        census=census(program),
        admissions=admissions,
        discharges=discharges,
        at_risk=risk,
        at_risk_count=risk_count,
        admitted_count=admitted,
        waitlist=waitlist(program),
        waitlisted_referrals=Referral.objects.filter(
            program=program, stage=Referral.Stage.WAITLISTED
        ).count(),
        unsigned_notes=unsigned_notes(program),
        overdue_reviews=overdue_reviews(program, today),
        alerts=open_alerts(program),
        intake_overdue=pipeline.overdue_count(program, now=now),
        extra=extra,
    )
