"""The crisis pathway in the demo: an on-call rota covering the week, signed safety plans, and
one alert part-way up the escalation ladder. Synthetic people, made through the real actions.

The mid-ladder alert: participant0005 answers the ASQ with a "yes" to question 1 and "no" to
question 5 (a non-acute positive, high acuity: 30 minutes to acknowledge). The loader then moves
that alert's own clock back 40 minutes (its rows only; the audit trail keeps the real times) and
runs the sweep, so the demo opens with the deadline missed and the alert already climbed to the
on-call clinician, as it would be had nobody answered for 40 minutes.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from openiop.assessments import actions as assessments
from openiop.core.demo import participant_email
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety import demo as safety_demo
from openiop.safety import sweep
from openiop.safety.models import AlertEvent, AlertTrigger, EscalationNotice, SafetyAlert

MID_LADDER_PARTICIPANT = 5
AGE = timedelta(minutes=40)


def load(program: Program) -> SafetyAlert | None:
    safety_demo.load_rota_demo(program)
    safety_demo.load_plan_demo(program)
    return load_alert_mid_ladder(program)


def load_alert_mid_ladder(program: Program) -> SafetyAlert | None:
    participant = (
        Participant.objects.filter(
            program=program, user__email=participant_email(MID_LADDER_PARTICIPANT)
        )
        .select_related("user")
        .first()
    )
    if participant is None or participant.user is None:
        return None
    writer = participant.care_team.filter(can_write=True).select_related("clinician").first()
    if writer is None:
        return None
    with transaction.atomic():
        assignment = assessments.assign_instrument(
            participant, assessments.shipped_instrument("asq"), acting_user=writer.clinician
        )
        assessments.answer(
            assignment,
            {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "no"},
            intent=assessments.Intent.SUBMIT,
            acting_user=participant.user,
            source="participant",
        )
    alert = SafetyAlert.objects.filter(participant=participant, status="open").first()
    if alert is None:
        return None
    with transaction.atomic():
        # The alert's own clock, 40 minutes back: opened, triggered, first notice and deadline.
        SafetyAlert.objects.filter(pk=alert.pk).update(
            opened_at=alert.opened_at - AGE,
            last_triggered_at=alert.last_triggered_at - AGE,
            acknowledge_by=alert.acknowledge_by - AGE if alert.acknowledge_by else None,
        )
        for model, field in (
            (AlertTrigger, "raised_at"),
            (AlertEvent, "at"),
            (EscalationNotice, "claimed_at"),
        ):
            for row in model.objects.filter(alert=alert):
                setattr(row, field, getattr(row, field) - AGE)
                row.save(update_fields=[field])
        for notice in EscalationNotice.objects.filter(alert=alert):
            if notice.sent_at is not None:
                notice.sent_at -= AGE
                notice.save(update_fields=["sent_at"])
    sweep.run(timezone.now())
    alert.refresh_from_db()
    return alert
