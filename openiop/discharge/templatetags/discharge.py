from typing import Any

from django import template

from openiop.discharge import access
from openiop.discharge.models import DischargeSummary
from openiop.intake.models import EpisodeOfCare
from openiop.participants.models import Participant

register = template.Library()


@register.inclusion_tag("discharge/_chart.html")
def chart_discharge(participant: Participant, can_write: bool) -> dict[str, Any]:
    """The chart's discharge line: the signed summary of a discharged chart, or for those who
    may change the chart, the way to start (or continue) discharging an admitted participant."""
    summary = (
        DischargeSummary.objects.filter(participant=participant)
        .select_related("episode")
        .order_by("-created_at")
        .first()
    )
    admitted = EpisodeOfCare.objects.filter(
        participant=participant, status=EpisodeOfCare.Status.ACTIVE
    ).exists()
    return {
        "participant": participant,
        "summary": summary,
        "admitted": admitted,
        "can_write": can_write,
    }


@register.inclusion_tag("discharge/_next_steps.html", takes_context=True)
def discharge_next_steps(context: dict[str, Any]) -> dict[str, Any]:
    """For a discharged participant's home page: what comes next, their aftercare
    appointments, crisis resources and their copy of the summary."""
    request = context.get("request")
    user = getattr(request, "user", None)
    summary = access.signed_summary_for_participant_user(user) if user is not None else None
    if summary is None:
        return {"summary": None}
    return {
        "summary": summary,
        "aftercare": list(summary.aftercare.all()),
        "zone": getattr(request, "viewer_zone", None) or summary.participant.timezone,
    }
