"""The alert page's safety-plan panel: the plan's status, and a prompt to review it.

Every high or emergency alert is a high-risk contact (CLINICAL.md §4.1: review the plan at every
high-risk contact): while the participant has a plan in use that nobody has reviewed for this
alert, and no version was signed since the alert opened, the panel asks for a review and opens
the "reviewed at this contact" form. The alert page has already recorded its read; the panel
shows the plan's status only, not its content.
"""

from typing import Any

from django.utils import timezone

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Access, Granted
from openiop.lib.timefmt import in_zone
from openiop.safety import panels
from openiop.safety.access.plan import PlanScope, may_write_plans
from openiop.safety.forms.plan import PlanReviewForm
from openiop.safety.models import Acuity, SafetyAlert, SafetyPlan, SafetyPlanReview


@panels.register
def plan_panel(request: AuthedRequest, granted: Granted[SafetyAlert]) -> dict[str, Any]:
    alert = granted.row
    participant = alert.participant
    plans = {
        p.status: p
        for p in SafetyPlan.objects.filter(participant=participant)
        .exclude(status=SafetyPlan.Status.SUPERSEDED)
        .select_related("signed_by")
    }
    active = plans.get(SafetyPlan.Status.ACTIVE)
    draft = plans.get(SafetyPlan.Status.DRAFT)
    reviewed = None
    if active is not None:
        reviewed = (
            SafetyPlanReview.objects.filter(plan=active, alert=alert)
            .order_by("-reviewed_at")
            .first()
        )
    high_risk = alert.acuity >= Acuity.HIGH
    signed_since = (
        active is not None
        and active.signed_at is not None
        and (active.signed_at >= alert.opened_at)
    )
    zone = participant.program.timezone if participant.program is not None else "UTC"
    today = in_zone(timezone.now(), zone).date()
    # The alert gate gave write access to whoever may acknowledge the alert.
    can_write = alert.is_open and granted.can_write and may_write_plans(request.user)
    scope = PlanScope(participant, Access.WRITE if can_write else Access.READ, alert)
    initial = {"reason": SafetyPlanReview.Reason.HIGH_RISK_CONTACT} if high_risk else {}
    return {
        "plan_panel": {
            "active": active,
            "draft": draft,
            "reviewed": reviewed,
            "review_needed": bool(
                high_risk and active is not None and reviewed is None and not signed_since
            ),
            "review_overdue": bool(
                active is not None and active.review_due_on and active.review_due_on <= today
            ),
            "can_write": can_write,
            "scope": scope,
            "review_form": PlanReviewForm(initial=initial),
        }
    }
