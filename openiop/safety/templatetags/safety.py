from typing import Any

from django import template

from openiop.safety.access import open_alerts_for_user
from openiop.safety.acuity import rule_label as _rule_label

register = template.Library()

BANNER_LIMIT = 5


@register.inclusion_tag("safety/_banner.html", takes_context=True)
def safety_banner(context: dict[str, Any]) -> dict[str, Any]:
    """Open alerts for the signed-in member of staff, on every staff page (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff_member:
        return {"alerts": [], "more": 0}
    alerts = list(open_alerts_for_user(user)[: BANNER_LIMIT + 1])
    return {"alerts": alerts[:BANNER_LIMIT], "more": len(alerts) > BANNER_LIMIT, "user": user}


@register.filter
def rule_label(rule: str) -> str:
    """What an acuity rule key means, e.g. "ASQ acute positive (imminent risk)"."""
    return _rule_label(rule)
