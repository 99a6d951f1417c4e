"""The participant's "I need help" button and the facilitator's acknowledgement."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.safety import timeline
from openiop.safety.actions import raise_alert
from openiop.safety.models import AlertEvent, AlertTrigger, SafetyAlert

from ..models import Attendance
from .common import record_for_attendance


@transaction.atomic
def request_help(attendance: Attendance, *, acting_user: User) -> None:
    """The participant's "I need help" button.

    Two signals in one transaction: a private alert in the facilitators' room panel (they are
    with the person right now), and a safety alert for the care team and the on-call clinician,
    which stays open until a clinician acknowledges it with a documented action.
    """
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    attendance.help_requested_at = timezone.now()
    attendance.help_acknowledged_at = None
    attendance.help_acknowledged_by = None
    attendance.save(
        update_fields=["help_requested_at", "help_acknowledged_at", "help_acknowledged_by"]
    )
    record_for_attendance("telehealth.help_requested", attendance, acting_user=acting_user)
    alert = raise_alert(
        attendance.participant,
        kind=SafetyAlert.Kind.HELP_REQUESTED,
        signal=AlertTrigger.Signal.HELP_REQUESTED,
        rule="help_requested",
        acting_user=acting_user,
        concern='Pressed "I need help" during a video session.',
    )
    timeline.log(
        alert,
        AlertEvent.Kind.HELP_PRESSED,
        actor=acting_user,
        detail="Video session",
    )


@transaction.atomic
def acknowledge_help(attendance: Attendance, *, acting_user: User) -> None:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if not attendance.needs_help:
        return
    attendance.help_acknowledged_at = timezone.now()
    attendance.help_acknowledged_by = acting_user
    attendance.save(update_fields=["help_acknowledged_at", "help_acknowledged_by"])
    record_for_attendance("telehealth.help_acknowledged", attendance, acting_user=acting_user)
