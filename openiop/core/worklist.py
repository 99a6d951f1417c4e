"""The clinician's worklist on the staff home, and the team's late and unsigned notes.

Every function here only reads, and asks a fixed number of queries however many rows there
are: one for the rows (at most ROW_LIMIT) and, only when that many came back, one to count
them all.

What counts as work (decided where the issue was silent):
- A note is owed for a session that has ended, by the person who ran it (an appointment's
  clinician, any facilitator of a group), for each booked participant who attended or whose
  attendance nobody recorded yet: recording the attendance is then the work.
- An individual note is owed until a `Note` of that participant and session exists (then it
  is a draft "to sign"); a group note until its `GroupNote` is signed.
- Late: more than the program's `note_due_hours` after the session ended.
- A clinician's "notes to write" covers sessions of the last 30 days, so a backlog from before
  notes were kept in OpenIOP (or a year of demo sessions) does not bury this week's work; the
  team page for directors and supervisors shows every late note, however old.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse

from openiop.accounts.models import User
from openiop.careplans import reviews
from openiop.careplans.models import PlanSignature, TreatmentPlan
from openiop.feedback import queries as feedback_queries
from openiop.notes.models import GroupNote, Note
from openiop.participants.models import CareTeamMember
from openiop.programs import access as programs
from openiop.programs.eligibility import CLINICAL_ROLES, Seat, seat_programs
from openiop.programs.models import GroupFacilitator, Program
from openiop.safety.access import open_alerts_for_user
from openiop.safety.coverage import RotaStatus, next_days_for_director
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking, Session

T = TypeVar("T")

ROW_LIMIT = 50
# A clinician's own list of notes to write looks this far back (the team page has no limit).
NOTES_TO_WRITE_WINDOW = timedelta(days=30)
# Plan reviews show up this many days before they fall due.
REVIEW_NOTICE = timedelta(days=7)
ATTENDED = (Booking.Attendance.PRESENT, Booking.Attendance.LATE, Booking.Attendance.LEFT_EARLY)
# A booking that may need a note: the participant came, or nobody recorded whether they did.
NOTE_OWED = Q(status=Booking.Status.BOOKED) & (Q(attendance__in=ATTENDED) | Q(attendance=""))


def link(name: str, args: Iterable[Any], query: str = "") -> str:
    return reverse(name, args=list(args)) + query


def has_worklist(user: User) -> bool:
    """Clinicians and directors land on the worklist; other staff keep the caseload."""
    return bool(user.is_authenticated and user.is_active and user.role in CLINICAL_ROLES)


@dataclass
class Section(Generic[T]):
    rows: list[T]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.rows)


def section(queryset: QuerySet[Any], make: Any = None) -> Section[Any]:
    rows = list(queryset[:ROW_LIMIT])
    count = len(rows) if len(rows) < ROW_LIMIT else queryset.count()
    return Section([make(row) for row in rows] if make else rows, count)


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _run_by(user: User) -> Q:
    """Sessions the user runs: their appointments and the groups they facilitate."""
    return Q(clinician=user) | Q(group_id__in=programs.facilitated_group_ids(user))


def _due_at(session: Session) -> datetime:
    return session.ends_at + timedelta(hours=session.program.note_due_hours)


# Today's sessions ---------------------------------------------------------------------------


@dataclass
class TodayRow:
    session: Session
    title: str
    people: list[str]
    booked: int
    session_url: str
    video_url: str
    # People booked whose last session check-in was low or falling (openiop.feedback).
    feedback_flags: int = 0


def todays_sessions(user: User, *, zone: str, today: date) -> Section[TodayRow]:
    start, end = day_bounds(today, zone)
    sessions = (
        Session.objects.filter(
            _run_by(user), status=Session.Status.SCHEDULED, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("group")
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=Booking.objects.filter(status=Booking.Status.BOOKED)
                .select_related("participant")
                .order_by("participant__family_name", "participant__given_name"),
                to_attr="booked",
            )
        )
        .order_by("starts_at", "id")
    )

    flags: dict[int, int] = {}

    def row(session: Session) -> TodayRow:
        booked = session.booked  # type: ignore[attr-defined]
        grouped = session.group is not None
        return TodayRow(
            session=session,
            title=session.group.name if session.group else f"{session.get_kind_display()} session",
            people=[] if grouped else [b.participant.short_name for b in booked],
            booked=len(booked),
            session_url=reverse("scheduling:session", args=[session.code]),
            video_url=reverse("telehealth:join", args=[session.code]),
            feedback_flags=flags.get(session.pk, 0),
        )

    rows = list(sessions[:ROW_LIMIT])
    flags.update(feedback_queries.flag_counts([s.pk for s in rows]))
    count = len(rows) if len(rows) < ROW_LIMIT else sessions.count()
    return Section([row(s) for s in rows], count)


# Notes to write ------------------------------------------------------------------------------


@dataclass
class NoteToWrite:
    session: Session
    title: str
    url: str
    due_at: datetime
    late: bool
    participant: str = ""
    attendance: str = ""
    attended: int = 0
    unmarked: int = 0


def _owed_individual(scope: Q, now: datetime) -> QuerySet[Booking]:
    """Bookings of ended appointments (in `scope`, a filter on the session) owed a note."""
    session_scope = Session.objects.filter(scope).values("pk")
    return (
        Booking.objects.filter(NOTE_OWED)
        .filter(
            session__in=session_scope,
            session__group__isnull=True,
            session__status=Session.Status.SCHEDULED,
            session__ends_at__lte=now,
        )
        .exclude(
            Exists(
                Note.objects.filter(
                    participant=OuterRef("participant"), session=OuterRef("session")
                )
            )
        )
        .select_related("session__program", "session__clinician", "participant")
        .order_by("session__ends_at", "id")
    )


def _owed_group(scope: Q, now: datetime, *, signed_only: bool) -> QuerySet[Session]:
    """Ended group sessions (in `scope`) with attendees to document and no group note
    (`signed_only`: no signed one)."""
    group_notes = GroupNote.objects.filter(session=OuterRef("pk"))
    if signed_only:
        group_notes = group_notes.filter(status=GroupNote.Status.SIGNED)
    owed = Booking.objects.filter(NOTE_OWED, session=OuterRef("pk"))
    booked = Q(bookings__status=Booking.Status.BOOKED)
    return (
        Session.objects.filter(
            scope,
            group__isnull=False,
            status=Session.Status.SCHEDULED,
            ends_at__lte=now,
        )
        .filter(Exists(owed))
        .exclude(Exists(group_notes))
        .annotate(
            attended=Count("bookings", filter=booked & Q(bookings__attendance__in=ATTENDED)),
            unmarked=Count("bookings", filter=booked & Q(bookings__attendance="")),
        )
        .select_related("group", "program")
        .order_by("ends_at", "id")
    )


def _individual_row(booking: Booking, now: datetime) -> NoteToWrite:
    session, participant = booking.session, booking.participant
    due = _due_at(session)
    return NoteToWrite(
        session=session,
        title=f"{session.get_kind_display()} session",
        participant=participant.short_name,
        attendance=(
            f"attendance: {booking.get_attendance_display().lower()}"
            if booking.attendance
            else "attendance not recorded"
        ),
        url=link("notes:start_for_session", [session.code], f"?participant={participant.code}"),
        due_at=due,
        late=due < now,
    )


def _group_row(session: Session, now: datetime) -> NoteToWrite:
    due = _due_at(session)
    assert session.group is not None
    return NoteToWrite(
        session=session,
        title=session.group.name,
        attended=session.attended,  # type: ignore[attr-defined]
        unmarked=session.unmarked,  # type: ignore[attr-defined]
        url=link("notes:group_note", [session.code]),
        due_at=due,
        late=due < now,
    )


@dataclass
class NotesToWrite:
    individual: Section[NoteToWrite]
    group: Section[NoteToWrite]

    @property
    def count(self) -> int:
        return self.individual.count + self.group.count


def notes_to_write(user: User, *, now: datetime) -> NotesToWrite:
    """Sessions of the last NOTES_TO_WRITE_WINDOW the user ran that still owe a note; older
    ones stay on the team's late-notes list for directors and supervisors."""
    recent = Q(ends_at__gte=now - NOTES_TO_WRITE_WINDOW)
    # The clinician of an appointment, if a clinician (mirrors scheduling.access).
    own = Q(clinician=user) if user.role in CLINICAL_ROLES else Q(pk__in=[])
    facilitated = Q(group_id__in=programs.facilitated_group_ids(user))
    return NotesToWrite(
        individual=section(_owed_individual(own & recent, now), lambda b: _individual_row(b, now)),
        group=section(
            _owed_group(facilitated & recent, now, signed_only=True),
            lambda s: _group_row(s, now),
        ),
    )


# Notes to sign and co-sign -------------------------------------------------------------------


@dataclass
class NoteToSign:
    title: str
    url: str
    participant: str = ""
    started_at: datetime | None = None
    author: str = ""


def _note_row(note: Note) -> NoteToSign:
    return NoteToSign(
        title=note.get_kind_display() + " note",
        participant=note.participant.short_name,
        started_at=note.started_at or (note.session.starts_at if note.session else None),
        author=note.author.display_name,
        url=link("notes:note", [note.code]),
    )


def _group_note_row(group_note: GroupNote) -> NoteToSign:
    session = group_note.session
    assert session.group is not None
    return NoteToSign(
        title=f"Group note: {session.group.name}",
        started_at=session.starts_at,
        author=group_note.author.display_name,
        url=link("notes:group_note", [session.code]),
    )


@dataclass
class NotesToSign:
    notes: Section[NoteToSign]
    group_notes: Section[NoteToSign]

    @property
    def count(self) -> int:
        return self.notes.count + self.group_notes.count


def notes_to_sign(user: User) -> NotesToSign:
    drafts = (
        Note.objects.filter(author=user, status=Note.Status.DRAFT)
        .select_related("participant", "session", "author")
        .order_by("created_at", "id")
    )
    group_drafts = (
        GroupNote.objects.filter(author=user, status=GroupNote.Status.DRAFT)
        .select_related("session__group", "author")
        .order_by("session__starts_at", "id")
    )
    return NotesToSign(section(drafts, _note_row), section(group_drafts, _group_note_row))


def notes_to_cosign(user: User) -> Section[NoteToSign]:
    """Signed notes waiting for the user's co-signature: the query form of
    `openiop.notes.rules.may_cosign` (the author's supervisor; without one, a director of the
    note's program; never the author)."""
    mine = Q(author__supervisor=user) | Q(
        author__supervisor__isnull=True,
        participant__program_id__in=programs.directed_program_ids(user),
    )
    notes = (
        Note.objects.filter(
            mine, status=Note.Status.SIGNED, cosign_required=True, cosigned_at__isnull=True
        )
        .exclude(author=user)
        .select_related("participant", "session", "author")
        .order_by("signed_at", "id")
    )
    return section(notes, _note_row)


# Plans ---------------------------------------------------------------------------------------


def _care_team(user: User, **roles: Any) -> QuerySet[Any]:
    """Participants whose care team the user sits on (a seat they may hold)."""
    return (
        CareTeamMember.objects.filter(clinician=user, **roles)
        .filter(seat_programs(user, Seat.CARE_TEAM, "participant__program"))
        .values("participant_id")
    )


def review_rows(user: User, *, today: date) -> Section["PlanRow"]:
    """Plans in effect of the user's care-team participants whose review is due or overdue
    (on the program's cadence or after a level-of-care change: careplans.reviews), then those
    falling due within REVIEW_NOTICE. Two queries."""
    plans = TreatmentPlan.objects.filter(
        status=TreatmentPlan.Status.ACTIVE, participant_id__in=_care_team(user)
    )
    due = reviews.plans_due_for_review(plans, today=today)
    rows = [
        PlanRow(
            plan=review.plan,
            url=link("careplans:plan", [review.plan.code]),
            overdue=review.is_overdue,
            due_on=review.due_on,
            reason=review.reason_label,
        )
        for review in due
    ]
    soon = (
        plans.filter(review_due_on__gt=today, review_due_on__lte=today + REVIEW_NOTICE)
        .exclude(pk__in=[row.plan.pk for row in rows])
        .select_related("participant")
        .order_by("review_due_on", "id")
    )
    rows += [
        PlanRow(plan=plan, url=link("careplans:plan", [plan.code]), due_on=plan.review_due_on)
        for plan in soon[: max(ROW_LIMIT - len(rows), 0)]
    ]
    count = len(due) + (soon.count() if len(rows) >= ROW_LIMIT else len(rows) - len(due))
    return Section(rows[:ROW_LIMIT], count)


def plans_awaiting_signature(user: User) -> QuerySet[TreatmentPlan]:
    """Plans awaiting signatures that wait for the user's: the primary clinician's, and in
    programs that require it a physician's (a psychiatrist on the care team)."""
    signed = PlanSignature.objects.filter(plan=OuterRef("pk"))
    wanted: Any = Q(
        participant_id__in=_care_team(user, role=CareTeamMember.Role.PRIMARY_CLINICIAN)
    ) & ~Exists(signed.filter(role=PlanSignature.Role.PRIMARY_CLINICIAN))
    if user.discipline == User.Discipline.PSYCHIATRIST:
        wanted |= Q(
            participant_id__in=_care_team(user),
            participant__program__requires_physician_certification=True,
        ) & ~Exists(signed.filter(role=PlanSignature.Role.PHYSICIAN))
    return (
        TreatmentPlan.objects.filter(wanted, status=TreatmentPlan.Status.AWAITING_SIGNATURES)
        .select_related("participant")
        .order_by("created_at", "id")
    )


@dataclass
class PlanRow:
    plan: TreatmentPlan
    url: str
    overdue: bool = False
    due_on: date | None = None
    reason: str = ""


def _plan_row(plan: TreatmentPlan) -> PlanRow:
    return PlanRow(plan=plan, url=link("careplans:plan", [plan.code]))


# The whole page ------------------------------------------------------------------------------


@dataclass
class Worklist:
    today: Section[TodayRow]
    to_write: NotesToWrite
    to_sign: NotesToSign
    to_cosign: Section[NoteToSign]
    reviews: Section[PlanRow]
    to_sign_plans: Section[PlanRow]
    alerts: Section[SafetyAlert]
    has_team: bool = False
    # Directors: each program's on-call rota over the next 7 days (a warning when it has a gap).
    rota_status: list[RotaStatus] = field(default_factory=list)

    # Directors: a link to their program's safety board (openiop.safety.views.board).
    has_safety_board: bool = False


def worklist(user: User, *, now: datetime, zone: str) -> Worklist:
    today = now.astimezone(ZoneInfo(zone)).date()
    return Worklist(
        today=todays_sessions(user, zone=zone, today=today),
        to_write=notes_to_write(user, now=now),
        to_sign=notes_to_sign(user),
        to_cosign=notes_to_cosign(user),
        reviews=review_rows(user, today=today),
        to_sign_plans=section(plans_awaiting_signature(user), _plan_row),
        alerts=section(open_alerts_for_user(user)),
        has_team=has_team(user),
        rota_status=next_days_for_director(user, now=now),
        has_safety_board=programs.directed_program_ids(user).exists(),
    )


# The team: late and unsigned notes -----------------------------------------------------------


def has_team(user: User) -> bool:
    """Directors of a program, and supervisors of anyone."""
    if not has_worklist(user):
        return False
    if programs.directed_program_ids(user).exists():
        return True
    return User.objects.filter(supervisor=user).exists()


def _team_sessions(user: User) -> Q:
    """Sessions of the director's programs, and those the supervisor's supervisees run."""
    supervisees = User.objects.filter(supervisor=user).values("pk")
    return (
        Q(program_id__in=programs.directed_program_ids(user))
        | Q(clinician__in=supervisees)
        | Q(
            group_id__in=GroupFacilitator.objects.filter(clinician__in=supervisees).values(
                "group_id"
            )
        )
    )


def _past_due(programs_: list[Program], now: datetime, *, program: str, moment: str) -> Q:
    """Rows whose `moment` (e.g. "ends_at") is more than their program's note_due_hours ago:
    one clause per program, so no duration arithmetic in SQL (the demo runs on SQLite)."""
    condition = Q(pk__in=[])
    for each in programs_:
        condition |= Q(
            **{program: each.pk, f"{moment}__lt": now - timedelta(hours=each.note_due_hours)}
        )
    return condition


@dataclass
class TeamRow:
    title: str
    who: str
    session: Session | None
    due_at: datetime | None
    participant: str = ""
    url: str = ""
    detail: str = ""


@dataclass
class TeamWorklist:
    late_individual: Section[TeamRow]
    late_group: Section[TeamRow]
    unsigned: Section[TeamRow]
    unsigned_group: Section[TeamRow]
    directed: set[int] = field(default_factory=set)

    @property
    def late_count(self) -> int:
        return self.late_individual.count + self.late_group.count

    @property
    def unsigned_count(self) -> int:
        return self.unsigned.count + self.unsigned_group.count


def _facilitators(session: Session) -> str:
    """The group's facilitators, lead first."""
    assert session.group is not None
    roles = sorted(
        session.group.facilitator_roles.all(),
        key=lambda f: (f.role != GroupFacilitator.Role.LEAD, f.clinician.family_name, f.pk),
    )
    return ", ".join(f.clinician.display_name for f in roles)


def team_worklist(user: User, *, now: datetime) -> TeamWorklist:
    """Late notes (sessions past due with no note written) and unsigned notes (drafts past
    due) of the director's programs and the supervisor's supervisees."""
    directed = set(programs.directed_program_ids(user).values_list("program_id", flat=True))
    supervisees = User.objects.filter(supervisor=user).values("pk")
    # Supervisees may work in any program; programs are few.
    programs_ = list(Program.objects.only("pk", "note_due_hours"))
    scope = _team_sessions(user)
    session_past_due = _past_due(programs_, now, program="program", moment="ends_at")
    note_past_due = _past_due(programs_, now, program="session__program", moment="session__ends_at")

    def session_url(session: Session) -> str:
        if session.program_id in directed:
            return reverse("scheduling:session", args=[session.code])
        return ""

    # Drafts are "unsigned", not "late": only sessions with no note at all are late here.
    late_individual = _owed_individual(scope & session_past_due, now)
    late_group = _owed_group(scope & session_past_due, now, signed_only=False).prefetch_related(
        "group__facilitator_roles__clinician"
    )

    def individual(booking: Booking) -> TeamRow:
        session = booking.session
        assert session.clinician is not None
        return TeamRow(
            title=f"{session.get_kind_display()} session",
            who=session.clinician.display_name,
            session=session,
            participant=booking.participant.short_name,
            due_at=_due_at(session),
            url=session_url(session),
        )

    def group(session: Session) -> TeamRow:
        assert session.group is not None
        return TeamRow(
            title=session.group.name,
            who=_facilitators(session),
            session=session,
            due_at=_due_at(session),
            url=session_url(session),
            detail=f"{session.attended + session.unmarked} to document",  # type: ignore[attr-defined]
        )

    in_team = Q(author__in=supervisees) | Q(participant__program_id__in=directed)
    drafts = (
        Note.objects.filter(in_team, status=Note.Status.DRAFT)
        .filter(
            note_past_due
            | Q(session__isnull=True)
            & _past_due(programs_, now, program="participant__program", moment="created_at")
        )
        .select_related("participant", "session__program", "author")
        .order_by("created_at", "id")
    )
    group_drafts = (
        GroupNote.objects.filter(
            Q(author__in=supervisees) | Q(session__program_id__in=directed),
            status=GroupNote.Status.DRAFT,
        )
        .filter(note_past_due)
        .select_related("session__group", "session__program", "author")
        .order_by("session__ends_at", "id")
    )

    def draft(note: Note) -> TeamRow:
        session = note.session
        return TeamRow(
            title=f"{note.get_kind_display()} note",
            who=note.author.display_name,
            session=session,
            participant=note.participant.short_name,
            due_at=_due_at(session) if session else None,
            url=session_url(session) if session else "",
            detail="Draft, not signed",
        )

    def group_draft(group_note: GroupNote) -> TeamRow:
        session = group_note.session
        assert session.group is not None
        return TeamRow(
            title=f"Group note: {session.group.name}",
            who=group_note.author.display_name,
            session=session,
            due_at=_due_at(session),
            url=session_url(session),
            detail="Draft, not signed",
        )

    return TeamWorklist(
        late_individual=section(late_individual, individual),
        late_group=section(late_group, group),
        unsigned=section(drafts, draft),
        unsigned_group=section(group_drafts, group_draft),
        directed=directed,
    )
