"""The plan's signatures box, the participant's "ready to sign" notice, and plain words."""

from typing import Any

from django import template
from django.db.models import Exists, OuterRef

from openiop.accounts.models import User
from openiop.careplans.models import Intervention, Objective, PlanSignature, TreatmentPlan
from openiop.careplans.signatures import SigningPanel
from openiop.careplans.signatures import signing_panel as build_panel
from openiop.intake.models import Level

register = template.Library()

# How often, in the words a participant uses.
HOW_OFTEN = {
    Intervention.Frequency.WEEKLY: "once a week",
    Intervention.Frequency.TWICE_WEEKLY: "twice a week",
    Intervention.Frequency.THREE_TIMES_WEEKLY: "three times a week",
    Intervention.Frequency.EVERY_OTHER_WEEK: "every other week",
    Intervention.Frequency.MONTHLY: "once a month",
    Intervention.Frequency.AS_SCHEDULED: "each time your group meets",
}
WHAT = {
    Intervention.Modality.CBT: "Cognitive behavioural therapy (CBT)",
    Intervention.Modality.DBT_SKILLS_GROUP: "DBT skills group",
    Intervention.Modality.PROCESS_GROUP: "Group therapy",
    Intervention.Modality.INDIVIDUAL: "One-to-one therapy",
    Intervention.Modality.FAMILY: "Family sessions",
    Intervention.Modality.MEDICATION_MANAGEMENT: "Medication check-ins",
    Intervention.Modality.PEER_SUPPORT: "Peer support",
    Intervention.Modality.PSYCHOEDUCATION: "Learning about your health",
}


@register.simple_tag(takes_context=True)
def signing_panel(context: dict[str, Any], plan: TreatmentPlan) -> SigningPanel:
    """`{% signing_panel plan as panel %}` for the viewer of the page."""
    request = context["request"]
    return build_panel(plan, request.user)


@register.inclusion_tag("careplans/sign_home_notice.html", takes_context=True)
def plan_to_sign(context: dict[str, Any]) -> dict[str, Any]:
    """On the participant's home page: a plan that waits for their signature (one query)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated or user.role != User.Role.PARTICIPANT:
        return {"waiting": False, "has_plan": False}
    signed = PlanSignature.objects.filter(plan=OuterRef("pk"), role=PlanSignature.Role.PARTICIPANT)
    plans = (
        TreatmentPlan.objects.filter(
            participant__user=user,
            status__in=[TreatmentPlan.Status.AWAITING_SIGNATURES, TreatmentPlan.Status.ACTIVE],
        )
        .annotate(signed=Exists(signed))
        .values_list("status", "signed")
    )
    rows = list(plans)
    waiting = any(
        status == TreatmentPlan.Status.AWAITING_SIGNATURES and not signed for status, signed in rows
    )
    return {"waiting": waiting, "has_plan": bool(rows)}


@register.filter
def what(intervention: Intervention) -> str:
    return WHAT.get(intervention.modality, intervention.get_modality_display())  # type: ignore[call-overload]


@register.filter
def how_often(intervention: Intervention) -> str:
    """ "once a week, 50 minutes each time, for 8 weeks"."""
    parts = [HOW_OFTEN.get(intervention.frequency, intervention.get_frequency_display())]  # type: ignore[call-overload]
    minutes = intervention.duration_minutes
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        parts.append(f"{hours} hour{'s' if hours > 1 else ''} each time")
    else:
        parts.append(f"{minutes} minutes each time")
    if intervention.length_weeks:
        parts.append(f"for {intervention.length_weeks} weeks")
    return ", ".join(parts)


@register.filter
def with_whom(intervention: Intervention) -> str:
    if intervention.responsible_person is not None:
        return f"with {intervention.responsible_person.display_name}"
    if intervention.responsible_discipline:
        try:
            label = User.Discipline(intervention.responsible_discipline).label
        except ValueError:
            label = intervention.responsible_discipline
        return f"with a {str(label).lower()} from your care team"
    return "with your care team"


@register.filter
def measure_words(objective: Objective) -> str:
    """ "phq-9" ≤ 9 → "a PHQ-9 score of 9 or lower"."""
    if not objective.measure or objective.measure_target is None:
        return ""
    direction = "or lower" if objective.measure_comparator == "lte" else "or higher"
    return f"a {objective.measure.upper()} score of {objective.measure_target} {direction}"


@register.filter
def level_label(code: str) -> str:
    """A plan's level of care as people read it ("iop" → "Intensive outpatient (IOP)")."""
    if not code:
        return ""
    try:
        return str(Level(code).label)
    except ValueError:
        return code
