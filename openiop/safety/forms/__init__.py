"""Input of the crisis pathway: alerts (re-exported here),
brief assessments, safety plans, the rota.
"""

from openiop.safety.forms.alerts import (  # noqa: F401 (re-exported)
    AcknowledgeForm,
    ConcernForm,
    SafetyAlert,
    forms,
)
