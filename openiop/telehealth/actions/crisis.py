"""In-session crisis steps on the safety alert's timeline (issue 10, item 8).

"I need help" (actions.help), a participant dropping out of the room during an open emergency
alert (actions.presence), a move to the private room (actions.waiting_room) and a call started
from the crisis card each add a line to the alert's timeline, in the same transaction as their
audit row.
"""

from __future__ import annotations

from django.db import transaction

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant
from openiop.safety import timeline
from openiop.safety.models import Acuity, AlertEvent, SafetyAlert

from ..crisis import NUMBERS
from ..models import Attendance


def crisis_alerts(participant: Participant, *, emergency_only: bool = False) -> list[SafetyAlert]:
    """The open alerts an in-session crisis step belongs on: the emergency ones, else the most
    urgent open alert (a program may have made "I need help" high rather than emergency)."""
    alerts = list(
        SafetyAlert.objects.select_for_update()
        .filter(participant=participant, status=SafetyAlert.Status.OPEN)
        .order_by("-acuity", "opened_at", "id")
    )
    emergencies = [a for a in alerts if a.acuity >= Acuity.EMERGENCY]
    if emergency_only:
        return emergencies
    return emergencies or alerts[:1]


def log_disconnect(attendance: Attendance, kind: str, *, acting_user: User) -> int:
    """The participant's browser reported `lost` or `left` while an emergency alert is open.

    Called inside the presence event's transaction (its audit row is that event's). Returns how
    many alerts got the line.
    """
    alerts = crisis_alerts(attendance.participant, emergency_only=True)
    for alert in alerts:
        timeline.log(
            alert,
            AlertEvent.Kind.DISCONNECTED,
            actor=acting_user,
            detail="Connection lost" if kind == "lost" else "Left the room",
        )
    return len(alerts)


def log_moved(attendance: Attendance, *, with_user: User | None, acting_user: User) -> None:
    for alert in crisis_alerts(attendance.participant):
        timeline.log(
            alert,
            AlertEvent.Kind.MOVED_TO_BREAKOUT,
            actor=acting_user,
            recipient=with_user,
            detail="Private room of the video session",
        )


@transaction.atomic
def record_call(attendance: Attendance, number: str, *, acting_user: User) -> int:
    """A facilitator pressed a call link on the crisis card (`number`: a NUMBERS code)."""
    if number not in NUMBERS:
        raise ValueError(number)
    alerts = crisis_alerts(attendance.participant)
    for alert in alerts:
        timeline.log(alert, AlertEvent.Kind.CALLED, actor=acting_user, detail=NUMBERS[number])
    record(
        "telehealth.crisis_called",
        acting_user=acting_user,
        participant=attendance.participant,
        target=attendance,
        details={
            "session": str(attendance.session_code),
            "kind": number,
            "alert": [str(a.code) for a in alerts],
        },
    )
    return len(alerts)
