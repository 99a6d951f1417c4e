"""The chart's "Portal access" section: `{% load portal_access %}{% chart_portal_access … %}`."""

from typing import Any

from django import template

from openiop.consent.invitations import Invitation
from openiop.participants.models import Participant

register = template.Library()


@register.inclusion_tag("consent/_chart_portal.html", takes_context=True)
def chart_portal_access(
    context: dict[str, Any], participant: Participant, can_write: bool
) -> dict[str, Any]:
    """Invitation status for staff on the chart; the link to manage it for its writers."""
    latest = (
        participant.invitations.filter(role=Invitation.Role.PARTICIPANT)
        .order_by("-created_at", "-id")
        .first()
    )
    return {
        "participant": participant,
        "latest": latest,
        "guardian_count": participant.guardian_links.filter(revoked_at__isnull=True).count(),
        "can_write": can_write,
        "allows_guardians": bool(participant.program and participant.program.allows_guardians),
        "request": context.get("request"),
    }
