"""Who the program's weekly case review looks at, and what it decided (docs/team.md).

A participant of the program (not discharged) is flagged this week when any of these holds:
- `alert`: an open safety alert of any kind but deterioration (safety's ladder);
- `deterioration`: a reliable-deterioration alert still open or raised this week (outcomes
  raises these through safety);
- `hours`: admitted and at risk of missing the program's weekly minimum hours: the same rule as
  the operations board and scheduling's ledger (`openiop.lib.hours.week_ledger` over the week's
  bookings). core is above messaging, so the rule is applied here from scheduling's rows;
- `plan_review`: their treatment plan is overdue for review (`openiop.careplans.reviews`).

The page asks a fixed number of queries however many are flagged (messaging/tests/
test_case_review.py counts them for 3 and for 40): alerts, episodes, bookings, plans due,
participants' names and this week's decisions, one each.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from openiop.careplans import reviews
from openiop.careplans.models import TreatmentPlan
from openiop.intake.models import EpisodeOfCare
from openiop.lib.hours import LedgerEntry, week_bounds, week_ledger, week_start
from openiop.lib.recurrence import get_zone
from openiop.messaging import team_crypto
from openiop.messaging.models import CaseReviewDecision
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking, Session

ALERT, DETERIORATION, HOURS, PLAN_REVIEW = "alert", "deterioration", "hours", "plan_review"
FLAG_LABELS = {
    ALERT: "Open safety alert",
    DETERIORATION: "Reliable deterioration",
    HOURS: "At risk of missing weekly hours",
    PLAN_REVIEW: "Plan review overdue",
}


@dataclass
class Decision:
    code: str
    text: str
    decided_by: str
    decided_at: datetime


@dataclass
class Flagged:
    participant: Participant
    flags: list[str]
    decisions: list[Decision] = field(default_factory=list)

    @property
    def flag_labels(self) -> list[str]:
        return [FLAG_LABELS[f] for f in self.flags]


@dataclass
class Review:
    program: Program
    week_of: date
    start: datetime
    end: datetime
    flagged: list[Flagged]


def program_today(program: Program, now: datetime) -> date:
    return now.astimezone(get_zone(program.timezone)).date()


def _alert_flags(program: Program, start: datetime) -> dict[int, set[str]]:
    flags: dict[int, set[str]] = defaultdict(set)
    rows = SafetyAlert.objects.filter(
        participant__program=program, participant__discharged_at__isnull=True
    ).filter(status=SafetyAlert.Status.OPEN) | SafetyAlert.objects.filter(
        participant__program=program,
        participant__discharged_at__isnull=True,
        kind=SafetyAlert.Kind.DETERIORATION,
        last_triggered_at__gte=start,
    )
    for participant_id, kind in rows.values_list("participant_id", "kind"):
        flags[participant_id].add(
            DETERIORATION if kind == SafetyAlert.Kind.DETERIORATION else ALERT
        )
    return flags


def _hours_flags(program: Program, start: datetime, end: datetime, now: datetime) -> set[int]:
    """Admitted participants whose week cannot reach the minimum even if they attend
    everything left (`WeekLedger.at_risk`), as the operations board counts them."""
    admitted = set(
        EpisodeOfCare.objects.filter(
            program=program,
            status=EpisodeOfCare.Status.ACTIVE,
            participant__discharged_at__isnull=True,
        ).values_list("participant_id", flat=True)
    )
    entries: dict[int, list[LedgerEntry]] = {pk: [] for pk in admitted}
    for participant_id, starts_at, ends_at, status, minutes in Booking.objects.filter(
        participant_id__in=admitted,
        status=Booking.Status.BOOKED,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    ).values_list(
        "participant_id",
        "session__starts_at",
        "session__ends_at",
        "session__status",
        "minutes_attended",
    ):
        entries[participant_id].append(
            LedgerEntry(
                start=starts_at,
                end=ends_at,
                attended_minutes=minutes,
                cancelled=status == Session.Status.CANCELLED,
            )
        )
    minimum = program.weekly_minimum_hours
    return {
        pk
        for pk, week in entries.items()
        if week_ledger(week, minimum_hours=minimum, now=now).at_risk
    }


def _review_flags(program: Program, today: date) -> set[int]:
    due = reviews.plans_due_for_review(
        TreatmentPlan.objects.filter(participant__program=program), today=today
    )
    return {r.plan.participant_id for r in due if r.is_overdue}


def flags_by_participant(program: Program, now: datetime) -> dict[int, list[str]]:
    """participant id → the flag codes that put them on this week's review (in FLAG_LABELS
    order)."""
    today = program_today(program, now)
    start, end = week_bounds(today, program.timezone)
    found: dict[int, set[str]] = defaultdict(set)
    for pk, kinds in _alert_flags(program, start).items():
        found[pk] |= kinds
    for pk in _hours_flags(program, start, end, now):
        found[pk].add(HOURS)
    for pk in _review_flags(program, today):
        found[pk].add(PLAN_REVIEW)
    return {pk: [f for f in FLAG_LABELS if f in kinds] for pk, kinds in found.items()}


def flags_for(program: Program, participant: Participant, now: datetime) -> list[str]:
    """The participant's flags this week ([] when not on the review)."""
    if participant.program_id != program.pk or participant.discharged_at is not None:
        return []
    return flags_by_participant(program, now).get(participant.pk, [])


def weekly_review(program: Program, now: datetime) -> Review:
    today = program_today(program, now)
    start, end = week_bounds(today, program.timezone)
    monday = week_start(today)
    flags = flags_by_participant(program, now)
    people = Participant.objects.filter(pk__in=list(flags)).only(
        "code", "given_name", "family_name", "preferred_name", "program_id"
    )
    decisions: dict[int, list[Decision]] = defaultdict(list)
    for row in (
        CaseReviewDecision.objects.filter(
            review__program=program, review__week_of=monday, participant_id__in=list(flags)
        )
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    ):
        decisions[row.participant_id].append(
            Decision(
                code=str(row.code),
                text=team_crypto.decrypt(row.ciphertext),
                decided_by=row.decided_by.display_name,
                decided_at=row.decided_at,
            )
        )
    flagged = [Flagged(participant=p, flags=flags[p.pk], decisions=decisions[p.pk]) for p in people]
    flagged.sort(
        key=lambda f: (f.participant.family_name, f.participant.given_name, f.participant.pk)
    )
    return Review(program=program, week_of=monday, start=start, end=end, flagged=flagged)


def chart_decisions(participant: Participant) -> list[Decision]:
    """Every case-review decision about the participant, newest first (their team page)."""
    return [
        Decision(
            code=str(row.code),
            text=team_crypto.decrypt(row.ciphertext),
            decided_by=row.decided_by.display_name,
            decided_at=row.decided_at,
        )
        for row in CaseReviewDecision.objects.filter(participant=participant)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")
    ]
