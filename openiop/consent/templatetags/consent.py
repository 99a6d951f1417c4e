"""The participant's "consents needed" notice (home page, pre-join page)."""

from typing import Any

from django import template

from openiop.accounts.models import User
from openiop.consent.models import ConsentKind
from openiop.consent.queries import missing_before_first_session
from openiop.participants.models import Participant

register = template.Library()


@register.inclusion_tag("consent/missing_notice.html", takes_context=True)
def consents_missing(context: dict[str, Any]) -> dict[str, Any]:
    """On the participant's home page: the required consents they have not signed."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated or user.role != User.Role.PARTICIPANT:
        return {"missing": []}
    participant = Participant.objects.filter(user=user).first()
    if participant is None:
        return {"missing": []}
    return {"missing": [ConsentKind(k) for k in missing_before_first_session(participant)]}
