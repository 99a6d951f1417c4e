"""The alert page's brief-assessment panel: its assessments, the rule for acknowledging, and
"Start" (template safety/_alert_assessment.html)."""

from typing import Any

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Granted
from openiop.safety import panels
from openiop.safety.access import assessment as gate
from openiop.safety.actions import assessment as actions
from openiop.safety.models import SafetyAlert, SafetyAssessment


@panels.register
def assessment_panel(request: AuthedRequest, granted: Granted[SafetyAlert]) -> dict[str, Any]:
    """On the alert page: its assessments, the rule for acknowledging, and "Start"."""
    alert = granted.row
    assessments = list(
        SafetyAssessment.objects.filter(alert=alert).select_related("author").order_by("started_at")
    )
    return {
        "assessment_panel": {
            "assessments": assessments,
            "own_draft": next(
                (a for a in assessments if not a.is_signed and a.author_id == request.user.pk),
                None,
            ),
            "may_start": granted.can_write and gate.may_author(request.user),
            "required": actions.needs_assessment(alert),
            "satisfied_by": actions.assessment_for_acknowledgement(alert)
            if alert.is_open and actions.needs_assessment(alert)
            else None,
        }
    }
