from typing import Any

from django import template

from openiop.assessments.access import open_assignments_for_participant_user
from openiop.assessments.context import contexts_for

register = template.Library()


@register.inclusion_tag("assessments/_due.html", takes_context=True)
def questionnaires_due(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in participant's open questionnaires, for their home page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {"assignments": []}
    assignments = list(open_assignments_for_participant_user(user))
    contexts = contexts_for(a.pk for a in assignments)
    return {"assignments": [(a, contexts.get(a.pk)) for a in assignments]}
