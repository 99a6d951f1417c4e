from typing import Any

from django import template

from openiop.safety.acuity import rule_label as _rule_label
from openiop.safety.banner import banner_alerts

register = template.Library()


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
    alerts, total = banner_alerts(user)
    return {"alerts": alerts, "total": total, "more": total - len(alerts), "user": user}


@register.filter
def rule_label(rule: str) -> str:
    """What an acuity rule key means, e.g. "ASQ acute positive (imminent risk)"."""
    return _rule_label(rule)
