"""When a plan in effect falls due for review (CLINICAL.md §5.3).

Two things make a plan due:
- the calendar: `review_due_on` (the day it took effect + the program's `plan_review_days`,
  30 by default) is due on that day and overdue from the day after;
- a change of level of care after the plan took effect: the episode's level now differs from
  the plan's `level_of_care`, or a level-of-care decision for the participant is dated after
  the plan's `effective_at`. That review is due at once (on the decision's day, or today when
  the level changed without a dated decision) and overdue from the next day.

Both are read from the rows as they stand, in the same query, so no hook into intake is
needed: whatever changes the episode's level or records a decision makes the plan due.
A review already under way (a newer draft or a version awaiting signatures) leaves the plan
listed, marked `in_progress`, until the new version takes effect and replaces it.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from openiop.careplans.models import TreatmentPlan
from openiop.intake.models import EpisodeOfCare, LevelOfCareDecision
from openiop.lib.recurrence import get_zone

DUE = "due"
OVERDUE = "overdue"
Reason = TreatmentPlan.Reason
Status = TreatmentPlan.Status
# What a review may be started for (a new version's reason).
REVIEW_REASONS = (Reason.SCHEDULED_REVIEW, Reason.LEVEL_OF_CARE_CHANGE, Reason.CLINICAL_CHANGE)
# Plans may store the program's code for outpatient care ("op"); episodes use intake's.
SAME_LEVEL = {"op": "outpatient"}


@dataclass(frozen=True)
class DueReview:
    plan: TreatmentPlan
    status: str  # DUE or OVERDUE
    reason: str  # Reason.SCHEDULED_REVIEW or Reason.LEVEL_OF_CARE_CHANGE
    due_on: date
    in_progress: bool

    @property
    def is_overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def reason_label(self) -> str:
        return str(Reason(self.reason).label)


def _level_changed() -> Q:
    unchanged = Q(level_of_care=F("episode__level_of_care"))
    for plan_level, episode_level in SAME_LEVEL.items():
        unchanged |= Q(level_of_care=plan_level, episode__level_of_care=episode_level)
    return Q(episode__isnull=False) & ~Q(level_of_care="") & ~unchanged


def _candidates(plans: QuerySet[TreatmentPlan], today: date) -> QuerySet[TreatmentPlan]:
    later_decision = (
        LevelOfCareDecision.objects.filter(
            referral__participant=OuterRef("participant_id"),
            decided_at__gt=OuterRef("effective_at"),
        )
        .order_by("decided_at")
        .values("decided_at")[:1]
    )
    next_version = TreatmentPlan.objects.filter(
        previous=OuterRef("pk"), status__in=[Status.DRAFT, Status.AWAITING_SIGNATURES]
    )
    return (
        plans.filter(status=Status.ACTIVE, participant__discharged_at__isnull=True)
        .filter(Q(episode__isnull=True) | Q(episode__status=EpisodeOfCare.Status.ACTIVE))
        .annotate(
            level_decided_at=Subquery(later_decision),
            level_changed=ExpressionWrapper(_level_changed(), output_field=BooleanField()),
            review_in_progress=Exists(next_version),
        )
        .filter(
            Q(review_due_on__lte=today) | Q(level_decided_at__isnull=False) | Q(_level_changed())
        )
        .select_related("participant__program", "episode")
    )


def _classify(plan: TreatmentPlan, today: date) -> DueReview | None:
    due: list[tuple[date, str]] = []
    if plan.review_due_on is not None and plan.review_due_on <= today:
        due.append((plan.review_due_on, Reason.SCHEDULED_REVIEW))
    decided_at = getattr(plan, "level_decided_at", None)
    if decided_at is not None:
        program = plan.participant.program
        zone = get_zone(program.timezone if program else "UTC")
        due.append((min(decided_at.astimezone(zone).date(), today), Reason.LEVEL_OF_CARE_CHANGE))
    elif getattr(plan, "level_changed", False):
        due.append((today, Reason.LEVEL_OF_CARE_CHANGE))
    if not due:
        return None
    # A level-of-care change names the review whatever the calendar says: it is the reason
    # the new version is written.
    reason = (
        Reason.LEVEL_OF_CARE_CHANGE
        if any(r == Reason.LEVEL_OF_CARE_CHANGE for _, r in due)
        else Reason.SCHEDULED_REVIEW
    )
    due_on = min(day for day, _ in due)
    return DueReview(
        plan=plan,
        status=OVERDUE if due_on < today else DUE,
        reason=str(reason),
        due_on=due_on,
        in_progress=bool(getattr(plan, "review_in_progress", False)),
    )


def plans_due_for_review(plans: QuerySet[TreatmentPlan], *, today: date) -> list[DueReview]:
    """The plans among `plans` that are due or overdue for review on `today`, in one query,
    overdue first, then by due date.

    `plans` is usually what the viewer may see, e.g.
    `TreatmentPlan.objects.filter(participant__in=visible_participants(user))`; the plans'
    participants and programs come with each row (`review.plan.participant.program`).
    """
    reviews = [r for plan in _candidates(plans, today) if (r := _classify(plan, today))]
    return sorted(reviews, key=lambda r: (not r.is_overdue, r.due_on, r.plan.pk))


def review_for(plan: TreatmentPlan, *, today: date) -> DueReview | None:
    """The one plan's review, if it is due (one query)."""
    reviews = plans_due_for_review(TreatmentPlan.objects.filter(pk=plan.pk), today=today)
    return reviews[0] if reviews else None


def local_today(plan: TreatmentPlan) -> date:
    """Today in the plan's program zone: the day reviews are counted in."""
    program = plan.participant.program
    return timezone.now().astimezone(get_zone(program.timezone if program else "UTC")).date()
