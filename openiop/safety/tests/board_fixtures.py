"""Synthetic rows for the safety board's tests and its benchmark (bench/safety_board.py)."""

from datetime import date, datetime, timedelta
from typing import Any

from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety.acuity import RULES
from openiop.safety.models import AlertEvent, AlertTrigger, LadderStep, SafetyAlert

KINDS = (
    SafetyAlert.Kind.CRITICAL_ITEM,
    SafetyAlert.Kind.CLINICIAN_CONCERN,
    SafetyAlert.Kind.HELP_REQUESTED,
)


def make_alert(
    participant: Participant,
    *,
    rule: str,
    opened_at: datetime,
    raised_by: Any,
    kind: str = SafetyAlert.Kind.CRITICAL_ITEM,
    acknowledge_by: datetime | None = None,
    owner: Any = None,
    ladder_step: int = LadderStep.OWNER,
) -> SafetyAlert:
    """An open alert with one trigger of `rule`, its acuity the rule's default."""
    acuity = RULES[rule][0]
    alert = SafetyAlert.objects.create(
        participant=participant,
        kind=kind,
        opened_at=opened_at,
        last_triggered_at=opened_at,
        acuity=acuity,
        owner=owner,
        ladder_step=ladder_step,
        acknowledge_by=acknowledge_by,
    )
    AlertTrigger.objects.create(
        alert=alert, signal=AlertTrigger.Signal.CONCERN, rule=rule, acuity=acuity,
        raised_by=raised_by, raised_at=opened_at,
    )  # fmt: skip
    return alert


def acknowledge(
    alert: SafetyAlert, *, by: Any, at: datetime, escalated_at: datetime | None = None
) -> None:
    """Close `alert` as if acknowledged at `at`, after a climb at `escalated_at` if given."""
    if escalated_at is not None:
        AlertEvent.objects.create(
            alert=alert, kind=AlertEvent.Kind.ESCALATED, at=escalated_at,
            step=LadderStep.ON_CALL,
        )  # fmt: skip
        alert.ladder_step = LadderStep.ON_CALL
    alert.status = SafetyAlert.Status.ACKNOWLEDGED
    alert.acknowledged_by = by
    alert.acknowledged_at = at
    alert.action = SafetyAlert.Action.CONTACTED
    alert.action_note = "Synthetic."
    alert.save()


def many_participants(program: Program, count: int, prefix: str = "Board") -> list[Participant]:
    return Participant.objects.bulk_create(
        Participant(
            program=program,
            given_name=f"{prefix}{n}",
            family_name="Synthetic",
            date_of_birth=date(1990, 1, 1),
            home_state="NY",
            timezone="America/New_York",
        )
        for n in range(count)
    )


def _mixed_rule(n: int) -> str:
    """One in 20 an emergency, a quarter high, the rest elevated."""
    slot = n % 20
    if slot == 0:
        return "asq_acute_positive"
    if slot <= 5:
        return ("phq9_item9_high", "asq_positive")[slot % 2]
    return ("phq9_item9_low", "clinician_concern", "phq9_item9_missing")[slot % 3]


def many_open_alerts(
    program: Program, count: int, *, now: datetime, raised_by: Any, owner: Any = None
) -> list[SafetyAlert]:
    """`count` open alerts in `program` (three kinds per synthetic participant; 5% emergency,
    25% high, 70% elevated), a tenth of them past their deadline, each with one trigger (bulk:
    a few queries)."""
    people = many_participants(program, (count + len(KINDS) - 1) // len(KINDS))
    alerts, rules = [], []
    for n in range(count):
        rule = _mixed_rule(n)
        rules.append(rule)
        opened = now - timedelta(minutes=10 + n)
        alerts.append(
            SafetyAlert(
                participant=people[n // len(KINDS)],
                kind=KINDS[n % len(KINDS)],
                opened_at=opened,
                last_triggered_at=opened,
                acuity=RULES[rule][0],
                owner=owner,
                acknowledge_by=now + timedelta(minutes=-5 if n % 10 == 0 else 30),
            )
        )
    created = SafetyAlert.objects.bulk_create(alerts)
    AlertTrigger.objects.bulk_create(
        AlertTrigger(
            alert=alert,
            signal=AlertTrigger.Signal.CONCERN,
            rule=rules[n],
            acuity=alert.acuity,
            raised_by=raised_by,
            raised_at=alert.opened_at,
        )
        for n, alert in enumerate(created)
    )
    return created
