"""The plan's signatures box, the participant's "ready to sign" notice, and plain words."""

from typing import Any

from django import template
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.careplans.models import Intervention, Objective, PlanSignature, TreatmentPlan
from openiop.careplans.signatures import SigningPanel
from openiop.careplans.signatures import signing_panel as build_panel
from openiop.intake.models import Level

register = template.Library()

# How often, in the words a participant uses. Each phrase is whole in every language: the
# filters below put whole phrases side by side, never pieces of one.
HOW_OFTEN = {
    Intervention.Frequency.WEEKLY: _("once a week"),
    Intervention.Frequency.TWICE_WEEKLY: _("twice a week"),
    Intervention.Frequency.THREE_TIMES_WEEKLY: _("three times a week"),
    Intervention.Frequency.EVERY_OTHER_WEEK: _("every other week"),
    Intervention.Frequency.MONTHLY: _("once a month"),
    Intervention.Frequency.AS_SCHEDULED: _("each time your group meets"),
}
WHAT = {
    Intervention.Modality.CBT: _("Cognitive behavioural therapy (CBT)"),
    Intervention.Modality.DBT_SKILLS_GROUP: _("DBT skills group"),
    Intervention.Modality.PROCESS_GROUP: _("Group therapy"),
    Intervention.Modality.INDIVIDUAL: _("One-to-one therapy"),
    Intervention.Modality.FAMILY: _("Family sessions"),
    Intervention.Modality.MEDICATION_MANAGEMENT: _("Medication check-ins"),
    Intervention.Modality.PEER_SUPPORT: _("Peer support"),
    Intervention.Modality.PSYCHOEDUCATION: _("Learning about your health"),
}
# "with a <discipline> from your care team", one whole phrase per discipline (articles and
# gender differ by language).
WITH_DISCIPLINE = {
    User.Discipline.PSYCHIATRIST: _("with a psychiatrist from your care team"),
    User.Discipline.PSYCHOLOGIST: _("with a psychologist from your care team"),
    User.Discipline.SOCIAL_WORKER: _("with a social worker from your care team"),
    User.Discipline.COUNSELOR: _("with a counselor from your care team"),
    User.Discipline.NURSE: _("with a nurse from your care team"),
    User.Discipline.PEER_SPECIALIST: _("with a peer specialist from your care team"),
    User.Discipline.CASE_MANAGER: _("with a case manager from your care team"),
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
    return str(WHAT.get(intervention.modality, intervention.get_modality_display()))  # type: ignore[call-overload]


@register.filter
def how_often(intervention: Intervention) -> str:
    """ "once a week, 50 minutes each time, for 8 weeks"."""
    parts = [str(HOW_OFTEN.get(intervention.frequency, intervention.get_frequency_display()))]  # type: ignore[call-overload]
    minutes = intervention.duration_minutes
    if minutes >= 60 and minutes % 60 == 0:
        hours = minutes // 60
        parts.append(
            ngettext("%(count)d hour each time", "%(count)d hours each time", hours)
            % {"count": hours}
        )
    else:
        parts.append(
            ngettext("%(count)d minute each time", "%(count)d minutes each time", minutes)
            % {"count": minutes}
        )
    if weeks := intervention.length_weeks:
        parts.append(
            ngettext("for %(count)d week", "for %(count)d weeks", weeks) % {"count": weeks}
        )
    return ", ".join(parts)


@register.filter
def with_whom(intervention: Intervention) -> str:
    if intervention.responsible_person is not None:
        return gettext("with %(name)s") % {"name": intervention.responsible_person.display_name}
    phrase = WITH_DISCIPLINE.get(intervention.responsible_discipline)  # type: ignore[call-overload]
    return str(phrase) if phrase is not None else gettext("with your care team")


@register.filter
def measure_words(objective: Objective) -> str:
    """ "phq-9" ≤ 9 → "a PHQ-9 score of 9 or lower"."""
    if not objective.measure or objective.measure_target is None:
        return ""
    words = {"measure": objective.measure.upper(), "target": objective.measure_target}
    if objective.measure_comparator == "lte":
        return gettext("a %(measure)s score of %(target)s or lower") % words
    return gettext("a %(measure)s score of %(target)s or higher") % words


@register.filter
def level_label(code: str) -> str:
    """A plan's level of care as people read it ("iop" → "Intensive outpatient (IOP)")."""
    if not code:
        return ""
    try:
        return str(Level(code).label)
    except ValueError:
        return code
