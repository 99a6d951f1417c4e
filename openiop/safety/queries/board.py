"""The program safety board's reads (docs/safety.md, "Safety board"): a fixed number of queries
however many alerts and participants the program has.

Each list shows every emergency and at most ROW_LIMIT other rows (most urgent, then oldest,
first), with the full count, so a long list never hides an emergency and never grows the page
without bound.

"Missed deadlines" is what the tables can tell:
- an open alert is late when its current deadline (`acknowledge_by`) has passed, or when it
  has already climbed the ladder because a deadline passed (an ESCALATED event on its
  timeline);
- an acknowledged alert (in the last LATE_WINDOW) was late when it climbed at least once for a
  passed deadline, or was acknowledged after its last deadline. The first such climb's time
  stands for the first missed deadline (the ladder logs it when it finds the deadline passed,
  so it is at or just after it); the original deadline itself is not kept once the ladder
  moves it on.

The ladder also climbs when the holder's account is deactivated; that climb is no missed
deadline, and its timeline line says so (NOT_A_MISSED_DEADLINE, the ladder's text for it).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from openiop.lib.elapsed import format_elapsed
from openiop.lib.recurrence import get_zone
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety import coverage
from openiop.safety.acuity import rule_label
from openiop.safety.models import (
    Acuity,
    AlertEvent,
    AlertTrigger,
    SafetyAlert,
    SafetyPlan,
)

ROW_LIMIT = 50
# The `detail` of ESCALATED timeline lines that are not a passed deadline: keep in step with
# openiop.safety.ladder.CLIMB_REASONS["holder_inactive"].
NOT_A_MISSED_DEADLINE = ("The holder's account was deactivated",)
LATE_WINDOW = timedelta(days=30)

# Rules that are a positive suicide-risk screen (CLINICAL.md §4: PHQ-9 item 9 above 0, any ASQ
# "yes" or refusal). A missing item 9 makes the PHQ-9 incomplete, not positive, so it is not
# here; alerts of any rule count when their acuity is high or above.
POSITIVE_SCREEN_RULES = (
    "asq_acute_positive",
    "asq_positive",
    "phq9_item9_high",
    "phq9_item9_low",
    "deterioration_with_item9",
)

Row = TypeVar("Row")


@dataclass
class Section(Generic[Row]):
    rows: list[Row]
    count: int

    @property
    def hidden(self) -> int:
        return self.count - len(self.rows)


@dataclass
class AlertRow:
    alert: SafetyAlert
    rules: list[str]
    missed: bool
    open_for: str


@dataclass
class AcuityGroup:
    acuity: int
    label: str
    count: int
    rows: list[AlertRow] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.count - len(self.rows)


@dataclass
class LateRow:
    alert: SafetyAlert
    rules: list[str]
    missed_at: datetime
    late_by: str


@dataclass
class PlanRow:
    participant: Participant
    positive_at: datetime
    plan_signed_at: datetime | None


@dataclass
class CoverageWeek:
    label: str
    monday: date
    gaps: list[coverage.Stretch]


@dataclass
class Board:
    program: Program
    now: datetime
    open_count: int
    groups: list[AcuityGroup]
    missed_open: Section[AlertRow]
    acknowledged_late: Section[LateRow]
    without_plan: Section[PlanRow]
    coverage: list[CoverageWeek]

    @property
    def missed_count(self) -> int:
        return self.missed_open.count + self.acknowledged_late.count


def _open(program: Program) -> QuerySet[SafetyAlert]:
    return SafetyAlert.objects.filter(participant__program=program, status=SafetyAlert.Status.OPEN)


def _deadline_climbs() -> QuerySet[AlertEvent]:
    """The outer alert's climbs up the ladder because a deadline passed."""
    return AlertEvent.objects.filter(alert=OuterRef("pk"), kind=AlertEvent.Kind.ESCALATED).exclude(
        detail__in=NOT_A_MISSED_DEADLINE
    )


def _late_open(now: datetime) -> Q:
    return Q(acknowledge_by__lt=now) | Q(Exists(_deadline_climbs()))


def _capped(alerts: QuerySet[SafetyAlert]) -> list[SafetyAlert]:
    """Every emergency and the ROW_LIMIT most urgent, oldest others, as one query."""
    ordering = ("-acuity", "opened_at", "id")
    others = alerts.exclude(acuity=Acuity.EMERGENCY).order_by(*ordering).values("pk")[:ROW_LIMIT]
    return list(
        alerts.filter(Q(acuity=Acuity.EMERGENCY) | Q(pk__in=others))
        .select_related("participant", "owner")
        .order_by(*ordering)
    )


def _rules(alerts: Iterable[SafetyAlert]) -> dict[int, list[str]]:
    """Each alert's distinct trigger rules as labels, in the order they first fired (one query)."""
    ids = {alert.pk for alert in alerts}
    labels: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return labels
    triggers = (
        AlertTrigger.objects.filter(alert_id__in=ids)
        .order_by("alert_id", "raised_at", "id")
        .values_list("alert_id", "rule")
    )
    for alert_id, rule in triggers:
        label = rule_label(rule) if rule else ""
        if label and label not in labels[alert_id]:
            labels[alert_id].append(label)
    return labels


def _alert_row(alert: SafetyAlert, rules: dict[int, list[str]], now: datetime) -> AlertRow:
    return AlertRow(
        alert=alert,
        rules=rules.get(alert.pk, []) or [alert.get_kind_display()],
        missed=alert.acknowledge_by is not None and alert.acknowledge_by < now,
        open_for=format_elapsed(now - alert.opened_at),
    )


def _acknowledged_late(program: Program, now: datetime) -> QuerySet[SafetyAlert]:
    first_escalation = _deadline_climbs().order_by("at", "id").values("at")[:1]
    return (
        SafetyAlert.objects.filter(
            participant__program=program,
            status=SafetyAlert.Status.ACKNOWLEDGED,
            acknowledged_at__gte=now - LATE_WINDOW,
        )
        .annotate(first_escalated_at=Subquery(first_escalation))
        .filter(
            Q(first_escalated_at__isnull=False)
            | Q(acknowledge_by__isnull=False, acknowledged_at__gt=F("acknowledge_by"))
        )
        .annotate(missed_at=Coalesce("first_escalated_at", "acknowledge_by"))
        .select_related("participant", "owner")
        .order_by("-acknowledged_at", "-id")
    )


def without_current_plan(program: Program) -> QuerySet[Participant]:
    """Participants of the program (not discharged) with a positive screen or a high or
    emergency alert, whose safety plan in use is missing or was signed before that alert
    opened. Annotated with `positive_at` (the latest such alert's opening) and
    `plan_signed_at`; the longest waiting first."""
    positive = (
        SafetyAlert.objects.filter(participant=OuterRef("pk"))
        .filter(
            Q(acuity__gte=Acuity.HIGH)
            | Exists(
                AlertTrigger.objects.filter(alert=OuterRef("pk"), rule__in=POSITIVE_SCREEN_RULES)
            )
        )
        .order_by("-opened_at")
        .values("opened_at")[:1]
    )
    plan = SafetyPlan.objects.filter(
        participant=OuterRef("pk"), status=SafetyPlan.Status.ACTIVE
    ).values("signed_at")[:1]
    return (
        Participant.objects.filter(program=program, discharged_at__isnull=True)
        .annotate(positive_at=Subquery(positive), plan_signed_at=Subquery(plan))
        .filter(positive_at__isnull=False)
        .filter(Q(plan_signed_at__isnull=True) | Q(plan_signed_at__lt=F("positive_at")))
        .order_by("positive_at", "id")
    )


def _coverage(program: Program, now: datetime) -> list[CoverageWeek]:
    today = now.astimezone(get_zone(program.timezone)).date()
    monday = today - timedelta(days=today.weekday())
    weeks = (("This week", monday), ("Next week", monday + timedelta(days=7)))
    return [
        CoverageWeek(label=label, monday=start, gaps=list(coverage.gaps(program, start)))
        for label, start in weeks
    ]


def board(program: Program, *, now: datetime) -> Board:
    open_alerts = _open(program)
    late_q = _late_open(now)
    counts: dict[int, dict[str, Any]] = {
        row["acuity"]: dict(row)
        for row in open_alerts.order_by()
        .values("acuity")
        .annotate(n=Count("id"), late=Count("id", filter=late_q))
    }
    shown = _capped(open_alerts)
    late_shown = _capped(open_alerts.filter(late_q))
    acknowledged = _acknowledged_late(program, now)
    acknowledged_count = acknowledged.count()
    acknowledged_rows = list(acknowledged[:ROW_LIMIT])
    rules = _rules([*shown, *late_shown, *acknowledged_rows])

    groups = [
        AcuityGroup(
            acuity=acuity.value,
            label=acuity.label,
            count=counts.get(acuity.value, {}).get("n", 0),
        )
        for acuity in sorted(Acuity, reverse=True)
    ]
    by_acuity = {group.acuity: group for group in groups}
    for alert in shown:
        by_acuity[alert.acuity].rows.append(_alert_row(alert, rules, now))

    plans = without_current_plan(program)
    return Board(
        program=program,
        now=now,
        open_count=sum(group.count for group in groups),
        groups=groups,
        missed_open=Section(
            rows=[_alert_row(alert, rules, now) for alert in late_shown],
            count=sum(row["late"] for row in counts.values()),
        ),
        acknowledged_late=Section(
            rows=[
                LateRow(
                    alert=alert,
                    rules=rules.get(alert.pk, []) or [alert.get_kind_display()],
                    missed_at=alert.missed_at,  # type: ignore[attr-defined]
                    late_by=format_elapsed(
                        alert.acknowledged_at - alert.missed_at  # type: ignore[attr-defined,operator]
                    ),
                )
                for alert in acknowledged_rows
            ],
            count=acknowledged_count,
        ),
        without_plan=Section(
            rows=[
                PlanRow(
                    participant=participant,
                    positive_at=participant.positive_at,  # type: ignore[attr-defined]
                    plan_signed_at=participant.plan_signed_at,  # type: ignore[attr-defined]
                )
                for participant in plans[:ROW_LIMIT]
            ],
            count=plans.count(),
        ),
        coverage=_coverage(program, now),
    )
