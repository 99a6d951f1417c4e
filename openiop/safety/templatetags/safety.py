from typing import Any

from django import template
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from openiop.safety.access import open_alerts_for_user
from openiop.safety.acuity import rule_label as _rule_label
from openiop.safety.models import Acuity

register = template.Library()

BANNER_LIMIT = 5


@register.inclusion_tag("safety/_banner.html", takes_context=True)
def safety_banner(context: dict[str, Any]) -> dict[str, Any]:
    """Open alerts for the signed-in member of staff, on every staff page, in one query.

    Most urgent first, then oldest; the first BANNER_LIMIT plus every emergency (an emergency
    is never hidden behind older, less urgent alerts), and the total count of open alerts.
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff_member:
        return {"alerts": [], "total": 0, "more": 0}
    order = [F("acuity").desc(), F("opened_at").asc(), F("id").asc()]
    alerts = list(
        open_alerts_for_user(user)
        .annotate(
            position=Window(RowNumber(), order_by=order),
            total=Window(Count("id")),
        )
        .filter(Q(position__lte=BANNER_LIMIT) | Q(acuity=Acuity.EMERGENCY))
    )
    total = alerts[0].total if alerts else 0
    return {"alerts": alerts, "total": total, "more": total - len(alerts), "user": user}


@register.filter
def rule_label(rule: str) -> str:
    """What an acuity rule key means, e.g. "ASQ acute positive (imminent risk)"."""
    return _rule_label(rule)
