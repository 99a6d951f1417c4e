"""`{% session_feedback_flags session %}`: the check-in flags a session's people carry into it.

Lower apps' session pages (scheduling, telehealth) use the tag without importing feedback.
Only the people who run the session (and the program's directors) see it; the page that
includes it has already opened the session through its own gate.
"""

from typing import Any

from django import template
from django.utils import timezone

from openiop.feedback.queries import flags_for_sessions
from openiop.scheduling import access as scheduling_access
from openiop.scheduling.models import Session

register = template.Library()


@register.inclusion_tag("feedback/_flags.html", takes_context=True)
def session_feedback_flags(context: dict[str, Any], session: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(session, Session):
        session = Session.objects.select_related("group").filter(code=session).first()
    if (
        session is None
        or user is None
        or not getattr(user, "is_staff_member", False)
        or not scheduling_access.can_record_attendance(user, session)
        or session.ends_at <= timezone.now()
    ):
        return {"show": False}
    return {
        "show": True,
        "flags": flags_for_sessions([session])[session.pk],
        "zone": context.get("zone"),
    }
