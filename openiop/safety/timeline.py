"""The alert's timeline: every step, notice, view of emergency details and action, in order."""

from datetime import datetime
from typing import Any

from django.utils import timezone

from openiop.safety.models import AlertEvent, SafetyAlert


def log(
    alert: SafetyAlert,
    kind: str,
    *,
    actor: Any = None,
    recipient: Any = None,
    step: int | None = None,
    channel: str = "",
    detail: str = "",
    at: datetime | None = None,
) -> AlertEvent:
    """Append one line. `detail` is operational text only, never what the participant said."""
    return AlertEvent.objects.create(
        alert=alert,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        recipient=recipient,
        step=step,
        channel=channel,
        detail=detail[:300],
    )
