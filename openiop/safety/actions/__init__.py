"""Writes of the crisis pathway: alerts (re-exported here),
brief assessments, safety plans, the rota.
"""

from openiop.safety.actions.alerts import (  # noqa: F401 (re-exported)
    DEFAULT_RULES,
    AcknowledgementRefused,
    AlertEvent,
    AlertTrigger,
    AlreadyAcknowledged,
    Any,
    AssessmentRequired,
    IntegrityError,
    Participant,
    SafetyAlert,
    UndocumentedAcknowledgement,
    User,
    acknowledge_alert,
    acuity_for,
    assessment_for_acknowledgement,
    ladder,
    needs_assessment,
    raise_alert,
    raise_critical_item_alert,
    record,
    timeline,
    timezone,
    transaction,
)
