"""A signed brief safety assessment, which acknowledging a high or emergency alert needs."""

from typing import Any

from openiop.safety.actions import assessment as assessing
from openiop.safety.models import SafetyAlert, SafetyAssessment

COMPLETE = {
    "risk_factors": "Recent job loss; drinking more.",
    "protective_factors": "Close to her sister; engaged in group.",
    "recent_behaviour": "Passive thoughts this week; no plan, no preparation.",
    "lethal_means": "none_known",
    "lethal_means_detail": "",
    "risk_level": "moderate",
    "formulation": "Moderate risk: new stressors, strong supports, no plan.",
    "disposition": "safety_plan",
    "disposition_detail": "",
}


def sign_brief_assessment(alert: SafetyAlert, *, acting_user: Any) -> SafetyAssessment:
    assessment, _ = assessing.start_assessment(
        alert.participant, alert=alert, acting_user=acting_user
    )
    assessing.save_draft(
        assessment,
        values=COMPLETE,
        expected_version=assessment.version,
        acting_user=acting_user,
    )
    assessment.refresh_from_db()
    return assessing.sign_assessment(
        assessment, expected_version=assessment.version, acting_user=acting_user
    )
