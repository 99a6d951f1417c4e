"""Read-side questions other apps ask about consents (no access checks: callers hold a chart
they already passed through its gate)."""

from datetime import datetime

from openiop.participants.models import Participant

from .models import REQUIRED_BEFORE_FIRST_SESSION, Consent, ConsentKind


def in_force(participant: Participant, kind: str, *, at: datetime | None = None) -> Consent | None:
    """The participant's newest consent of `kind` that is in force now (or at `at`)."""
    return (
        Consent.objects.in_force(at)
        .filter(participant=participant, kind=kind)
        .order_by("-signed_at", "-id")
        .first()
    )


def missing_before_first_session(participant: Participant) -> list[ConsentKind]:
    """The required consents the participant has not signed (or revoked or let expire), in the
    order they are asked for. Empty: they may join a session."""
    signed = set(
        Consent.objects.in_force()
        .filter(participant=participant, kind__in=REQUIRED_BEFORE_FIRST_SESSION)
        .values_list("kind", flat=True)
    )
    return [kind for kind in REQUIRED_BEFORE_FIRST_SESSION if kind not in signed]
