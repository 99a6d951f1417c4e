"""The escalation ladder: an owner, a deadline by acuity, and a climb when it passes.

Owner: the participant's primary clinician (an active care-team member who may write), else
whoever is on call (openiop.safety.rota), else the program's director. When the deadline to
acknowledge passes, the alert climbs: on-call clinician → director → the program's backup.
Each step notifies its person by text and email with no PHI, exactly once (EscalationNotice is
claimed before the provider is called), from the task worker; every step is on the timeline.

THIS MODULE IS A SEAM: the ladder helper fills it in. The three entry points below are called
by openiop.safety.actions inside the caller's transaction.
"""

from openiop.safety.models import SafetyAlert


def start(alert: SafetyAlert) -> None:
    """A new alert: choose its owner and deadline, and queue the first notice after commit."""


def restart(alert: SafetyAlert) -> None:
    """An open alert's acuity went up: a shorter deadline from now, and notify its holder."""


def stop(alert: SafetyAlert) -> None:
    """Acknowledged: nothing more climbs or is sent (queued jobs find it closed)."""
