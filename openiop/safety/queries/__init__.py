"""Reads across models: safety plans (re-exported here), the safety board, the rota page."""

from openiop.safety.queries.plan import (  # noqa: F401 (re-exported)
    POSITIVE_SCREEN_KINDS,
    AlertTrigger,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Participant,
    Program,
    Q,
    QuerySet,
    SafetyAlert,
    SafetyPlan,
    Subquery,
    active_plan,
    draft_plan,
    participants_without_current_plan,
)
