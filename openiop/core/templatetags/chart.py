"""`{% chart_banner %}`: who this chart is about, on every staff page of one chart.

Called from base.html. A page is a chart page when its context holds the `participant` its
view reached through the chart gate; the tag asks the gate again (`participant_access`), so
a page that names a chart the viewer cannot open (the break-the-glass request) shows no
banner. Participants and guardians never see it.
"""

from typing import Any

from django import template
from django.utils import timezone

from openiop.core.queries import chart_banner as banner_for
from openiop.lib.access import Access
from openiop.participants.access import participant_access
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone

register = template.Library()


@register.inclusion_tag("core/_chart_banner.html", takes_context=True)
def chart_banner(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    participant = context.get("participant")
    if (
        user is None
        or not user.is_authenticated
        or not user.is_staff_member
        or not isinstance(participant, Participant)
        or participant.pk is None
        or participant_access(user, participant) == Access.NONE
    ):
        return {"banner": None}
    zone = viewer_zone(user)
    return {
        "banner": banner_for(participant.pk, now=timezone.now(), zone=zone),
        "request": request,
    }
