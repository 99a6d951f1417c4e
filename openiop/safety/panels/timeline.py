"""The alert page's timeline panel: who holds the alert, at which step, by when, and every
line of its timeline (steps, notices, failures, views, actions) in order."""

from typing import Any

from django.utils import timezone

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Granted
from openiop.safety import panels
from openiop.safety.models import AlertEvent, SafetyAlert


@panels.register
def timeline_panel(request: AuthedRequest, granted: Granted[SafetyAlert]) -> dict[str, Any]:
    alert = granted.row
    events = AlertEvent.objects.filter(alert=alert).select_related("actor", "recipient")
    return {
        "timeline_events": events,
        "ladder_holder": alert.owner,
        "ladder_step": alert.get_ladder_step_display(),
        "ladder_deadline": alert.acknowledge_by if alert.is_open else None,
        "ladder_overdue": bool(
            alert.is_open and alert.acknowledge_by and alert.acknowledge_by <= timezone.now()
        ),
    }
