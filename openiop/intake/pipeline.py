"""The intake pipeline: referrals by stage, how long each has waited there, and which are
past their program's target (docs/operations.md).

- Age in stage is `now - Referral.stage_entered_at` (every action that moves a referral sets
  it; migration 0005 derived it for older rows from the times each step already kept).
- A working stage (screening, assessment, decision, admission) is due a number of business
  days after it was entered: the program's `StageTarget`, else DEFAULT_STAGE_TARGETS. Business
  days skip weekends and the program's closed days (scheduling's holidays, through
  `hooks.closed_days`) and are counted in the program's zone (`openiop.lib.business_days`).
  Waitlisted referrals wait for a seat, not for someone's step: no target.
- Admitted and declined referrals are shown for RECENT after their outcome.

Five queries whatever the number of referrals: the programs, their tracks, the referrals
(with chart, program and track), the targets and the closed days.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.intake import hooks
from openiop.intake.models import DEFAULT_STAGE_TARGETS, Referral, StageTarget
from openiop.lib.business_days import add_business_days
from openiop.lib.elapsed import format_elapsed
from openiop.programs import access as programs
from openiop.programs.models import Program, Track

Stage = Referral.Stage
WORKING_STAGES = (Stage.SCREENING, Stage.ASSESSMENT, Stage.DECISION, Stage.ADMISSION)
STAGES = (*WORKING_STAGES, Stage.WAITLISTED, Stage.ADMITTED, Stage.DECLINED)
CLOSED_STAGES = (Stage.ADMITTED, Stage.DECLINED)
RECENT = timedelta(days=30)
# Business days a target may span at most (StageTarget allows up to 60), so the closed days
# are read once for the whole window.
_TARGET_REACH = timedelta(days=120)


def pipeline_program_ids(user: User) -> QuerySet[Program]:
    """Programs whose pipeline the user sees: those they direct, and, for intake
    coordinators, those they work in."""
    if not user.is_authenticated or not user.is_active:
        return Program.objects.none()
    scope = Q(pk__in=programs.directed_program_ids(user))
    if user.role == User.Role.INTAKE_COORDINATOR:
        scope |= Q(pk__in=programs.member_program_ids(user))
    return Program.objects.filter(scope)


def has_pipeline(user: User) -> bool:
    return user.is_authenticated and pipeline_program_ids(user).exists()


@dataclass
class Filters:
    program: Program | None = None
    source: str = ""
    track: Track | None = None


@dataclass
class Row:
    referral: Referral
    age: str
    due_at: datetime | None = None
    overdue: bool = False


@dataclass
class StageColumn:
    stage: str
    label: str
    target_days: int | None
    rows: list[Row] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.rows)


@dataclass
class Pipeline:
    programs: list[Program]
    tracks: list[Track]
    filters: Filters
    columns: list[StageColumn]

    @property
    def overdue(self) -> int:
        return sum(column.overdue for column in self.columns)


def targets_for(program_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each program's business-day target per working stage (one query)."""
    targets = {pk: {str(k): v for k, v in DEFAULT_STAGE_TARGETS.items()} for pk in program_ids}
    for program_id, stage, days in StageTarget.objects.filter(
        program_id__in=program_ids
    ).values_list("program_id", "stage", "business_days"):
        targets[program_id][stage] = days
    return targets


def parse_filters(params: dict[str, str], programs_: list[Program], tracks: list[Track]) -> Filters:
    """Unknown or foreign codes count as no filter: a filter never widens what is shown."""

    def by_code(rows: list, value: str):  # type: ignore[no-untyped-def,type-arg]
        try:
            code = uuid.UUID(value)
        except (ValueError, TypeError):
            return None
        return next((row for row in rows if row.code == code), None)

    source = params.get("source", "")
    return Filters(
        program=by_code(programs_, params.get("program", "")),
        source=source if source in Referral.Source.values else "",
        track=by_code(tracks, params.get("track", "")),
    )


def pipeline(user: User, *, now: datetime, params: dict[str, str] | None = None) -> Pipeline:
    programs_ = list(pipeline_program_ids(user).order_by("name", "id"))
    if not programs_:
        raise Http404
    tracks = list(
        Track.objects.filter(program__in=[p.pk for p in programs_])
        .select_related("program")
        .order_by("program__name", "name", "id")
    )
    filters = parse_filters(params or {}, programs_, tracks)
    shown = [filters.program] if filters.program else programs_
    ids = [p.pk for p in shown]
    referrals = Referral.objects.filter(program_id__in=ids).filter(
        ~Q(stage__in=CLOSED_STAGES) | Q(stage_entered_at__gte=now - RECENT)
    )
    if filters.source:
        referrals = referrals.filter(source=filters.source)
    if filters.track:
        referrals = referrals.filter(track=filters.track)
    rows = list(
        referrals.select_related("participant", "program", "track").order_by(
            "stage_entered_at", "id"
        )
    )
    targets = targets_for(ids)
    earliest = min((r.stage_entered_at for r in rows), default=now)
    closed = hooks.closed_days(
        ids, earliest.date() - timedelta(days=1), (now + _TARGET_REACH).date()
    )
    by_stage: dict[str, list[Row]] = defaultdict(list)
    for referral in rows:
        by_stage[referral.stage].append(_row(referral, now, targets, closed))
    single_target = len(shown) == 1
    columns = [
        StageColumn(
            stage=str(stage),
            label=str(stage.label),
            target_days=targets[shown[0].pk].get(str(stage)) if single_target else None,
            rows=by_stage[str(stage)],
        )
        for stage in STAGES
    ]
    return Pipeline(programs=programs_, tracks=tracks, filters=filters, columns=columns)


def _row(
    referral: Referral,
    now: datetime,
    targets: dict[int, dict[str, int]],
    closed: dict[int, set[date]],
) -> Row:
    row = Row(referral=referral, age=format_elapsed(now - referral.stage_entered_at))
    days = targets[referral.program_id].get(referral.stage)
    if days is not None:
        row.due_at = add_business_days(
            referral.stage_entered_at,
            days,
            zone=referral.program.timezone,
            closed=closed.get(referral.program_id, set()),
        )
        row.overdue = now > row.due_at
    return row


def overdue_count(program: Program, *, now: datetime) -> int:
    """How many of the program's referrals are past their stage's target (three queries)."""
    referrals = list(
        Referral.objects.filter(program=program, stage__in=WORKING_STAGES).select_related("program")
    )
    targets = targets_for([program.pk])
    earliest = min((r.stage_entered_at for r in referrals), default=now)
    closed = hooks.closed_days(
        [program.pk], earliest.date() - timedelta(days=1), (now + _TARGET_REACH).date()
    )
    return sum(_row(r, now, targets, closed).overdue for r in referrals)
