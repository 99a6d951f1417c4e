"""Reads of safety plans that span rows, each a fixed number of queries.

`active_plan` is the plan a participant reads and the care team works from;
`participants_without_current_plan` feeds the director's safety board: people whose latest
positive screen came after the plan in use was signed, or who have no plan in use at all.
"""

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, QuerySet, Subquery

from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety.models import AlertTrigger, SafetyAlert, SafetyPlan

# The alerts that count as a positive screen: a critical answer on an instrument (PHQ-9 item
# 9, any ASQ "yes" or refusal). Concerns and "I need help" have their own follow-up.
POSITIVE_SCREEN_KINDS = (SafetyAlert.Kind.CRITICAL_ITEM,)


def active_plan(participant: Participant) -> SafetyPlan | None:
    """The signed version in use, with its lines and means-safety actions (three queries)."""
    return (
        SafetyPlan.objects.filter(participant=participant, status=SafetyPlan.Status.ACTIVE)
        .select_related("signed_by")
        .prefetch_related("entries", "means_actions")
        .first()
    )


def draft_plan(participant: Participant) -> SafetyPlan | None:
    return SafetyPlan.objects.filter(
        participant=participant, status=SafetyPlan.Status.DRAFT
    ).first()


def participants_without_current_plan(program: Program) -> QuerySet[Participant]:
    """Participants of `program` still in care whose latest positive-screen signal came after
    their plan in use was signed, or who have none in use. One query; each row carries
    `last_positive_at`, `plan_signed_at` (None without a plan) and `has_draft`.
    """
    signed = SafetyPlan.objects.filter(
        participant=OuterRef("pk"), status=SafetyPlan.Status.ACTIVE
    ).values("signed_at")[:1]
    positive = (
        AlertTrigger.objects.filter(
            alert__participant=OuterRef("pk"), alert__kind__in=POSITIVE_SCREEN_KINDS
        )
        .order_by("-raised_at")
        .values("raised_at")[:1]
    )
    draft = SafetyPlan.objects.filter(participant=OuterRef("pk"), status=SafetyPlan.Status.DRAFT)
    return (
        Participant.objects.filter(program=program, discharged_at__isnull=True)
        .annotate(
            last_positive_at=Subquery(positive, output_field=DateTimeField()),
            plan_signed_at=Subquery(signed, output_field=DateTimeField()),
            has_draft=Exists(draft),
        )
        .filter(last_positive_at__isnull=False)
        .filter(Q(plan_signed_at__isnull=True) | Q(last_positive_at__gt=F("plan_signed_at")))
        .order_by("-last_positive_at", "pk")
    )
