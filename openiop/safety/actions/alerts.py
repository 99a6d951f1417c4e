from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import Participant
from openiop.safety import ladder, timeline
from openiop.safety.actions.assessment import assessment_for_acknowledgement, needs_assessment
from openiop.safety.acuity import acuity_for
from openiop.safety.models import AlertEvent, AlertTrigger, SafetyAlert


class AlreadyAcknowledged(Exception):
    pass


class AcknowledgementRefused(Exception):
    """An acknowledgement the rules refuse; the message says what is missing, for the person."""


class UndocumentedAcknowledgement(AcknowledgementRefused):
    def __init__(self) -> None:
        super().__init__(
            "Choose what was done and write what you did and found: an alert closes only with "
            "a documented action."
        )


class AssessmentRequired(AcknowledgementRefused):
    def __init__(self, alert: SafetyAlert) -> None:
        super().__init__(
            f"This is a {alert.get_acuity_display().lower()} alert: sign a brief safety "
            "assessment (started from this alert, or from the chart since the alert opened) "
            "before you acknowledge it."
        )


@transaction.atomic
def raise_alert(
    participant: Participant,
    *,
    kind: str,
    acting_user: User,
    response: Any = None,
    critical_items: list[dict[str, str]] | None = None,
    concern: str = "",
    signal: str = AlertTrigger.Signal.CONCERN,
    rule: str = "",
) -> SafetyAlert:
    """Open an alert, or add this trigger to the participant's open alert of the same kind.

    `rule` (openiop.safety.acuity.RULES) sets the signal's acuity; the alert takes the highest
    of its signals'. A new alert starts up the ladder (owner, deadline, first notice); a signal
    that raises an open alert's acuity restarts it with the shorter deadline.

    Two requests racing to open the first alert meet the partial unique constraint; the loser
    retries once and joins the winner's alert, so no signal is lost.
    """
    now = timezone.now()
    rule = rule or _default_rule(kind)
    acuity = acuity_for(rule, participant.program)
    for attempt in (1, 2):
        alert = (
            SafetyAlert.objects.select_for_update()
            .filter(participant=participant, kind=kind, status=SafetyAlert.Status.OPEN)
            .first()
        )
        if alert is not None:
            alert.trigger_count += 1
            alert.last_triggered_at = now
            raised = acuity > alert.acuity
            if raised:
                alert.acuity = acuity
            alert.save(update_fields=["trigger_count", "last_triggered_at", "acuity"])
            event = "safety.alert_repeated"
            break
        try:
            with transaction.atomic():
                alert = SafetyAlert.objects.create(
                    participant=participant,
                    kind=kind,
                    opened_at=now,
                    last_triggered_at=now,
                    acuity=acuity,
                )
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        event = "safety.alert_raised"
        break
    assert alert is not None
    AlertTrigger.objects.create(
        alert=alert,
        signal=signal,
        response=response,
        critical_items=critical_items or [],
        concern=concern,
        rule=rule,
        acuity=acuity,
        raised_by=acting_user,
        raised_at=now,
    )
    if event == "safety.alert_raised":
        timeline.log(alert, AlertEvent.Kind.RAISED, actor=acting_user, detail=rule, at=now)
        ladder.start(alert)
    else:
        timeline.log(alert, AlertEvent.Kind.REPEATED, actor=acting_user, detail=rule, at=now)
        if raised:
            timeline.log(
                alert,
                AlertEvent.Kind.ACUITY_RAISED,
                actor=acting_user,
                detail=alert.get_acuity_display(),
                at=now,
            )
            ladder.restart(alert)
    record(
        event,
        acting_user=acting_user,
        participant=participant,
        target=alert,
        details={
            "kind": kind,
            "signal": signal,
            "response": str(response.code) if response is not None else None,
            "trigger_count": alert.trigger_count,
            "acuity": alert.acuity,
        },
    )
    return alert


DEFAULT_RULES = {
    SafetyAlert.Kind.HELP_REQUESTED.value: "help_requested",
    SafetyAlert.Kind.CLINICIAN_CONCERN.value: "clinician_concern",
    SafetyAlert.Kind.DETERIORATION.value: "deterioration",
    SafetyAlert.Kind.CRISIS_LANGUAGE.value: "crisis_language",
}


def raise_crisis_language_alert(
    participant: Participant, *, where: str, link: str, acting_user: User
) -> SafetyAlert:
    """A participant wrote crisis language (openiop.safety.crisis_language) in `where` ("a
    message to the care team", "a post in the peer space"): an alert for the care team, with
    a link to the words in their place (they are not copied here: the reviewer reads them
    where they were written, under that place's access rule)."""
    return raise_alert(
        participant,
        kind=SafetyAlert.Kind.CRISIS_LANGUAGE,
        acting_user=acting_user,
        concern=f"Crisis language in {where}. Read it here: {link}",
        signal=AlertTrigger.Signal.CONCERN,
        rule="crisis_language",
    )


def _default_rule(kind: str) -> str:
    return DEFAULT_RULES.get(str(kind), "critical_item")


def _signal_key(critical_items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """What a draft signal says: each critical item with its answer's score (or missing)."""
    return sorted(
        (
            str(item.get("id")),
            "missing" if item.get("reason") == "missing" else str(item.get("score")),
        )
        for item in critical_items
    )


@transaction.atomic
def raise_critical_item_alert(
    participant: Participant,
    *,
    response: Any,
    critical_items: list[dict[str, Any]],
    submitted: bool,
    acting_user: User,
    rule: str = "",
) -> SafetyAlert | None:
    """Critical answers on an instrument response (critical_items as scoring reported them).

    `rule` (openiop.safety.acuity.RULES) is the signal's acuity rule; the instrument's
    definition names it (assessments.actions.alert_rule). A submitted response always signals:
    it is the definitive one. A saved draft signals unless the participant's open alert already
    holds a signal from this draft with the same critical answers (item and score), so saving
    the same answers again (autosave) adds nothing, while a changed answer (item 9 from 1 to
    3) or a critical answer still standing after the alert was closed signals again.
    Returns the alert, or None when there was nothing new.
    """
    if not critical_items:
        return None
    if not submitted:
        key = _signal_key(critical_items)
        signalled = AlertTrigger.objects.filter(
            response=response,
            alert__participant=participant,
            alert__kind=SafetyAlert.Kind.CRITICAL_ITEM,
            alert__status=SafetyAlert.Status.OPEN,
        ).values_list("critical_items", flat=True)
        if any(_signal_key(earlier) == key for earlier in signalled):
            return None
    return raise_alert(
        participant,
        kind=SafetyAlert.Kind.CRITICAL_ITEM,
        acting_user=acting_user,
        response=response,
        critical_items=critical_items,
        signal=(
            AlertTrigger.Signal.RESPONSE_SUBMITTED
            if submitted
            else AlertTrigger.Signal.ANSWER_SAVED
        ),
        rule=rule,
    )


@transaction.atomic
def acknowledge_alert(
    alert: SafetyAlert, *, action: str, note: str, acting_user: User
) -> SafetyAlert:
    alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if not alert.is_open:
        raise AlreadyAcknowledged(alert)
    if action not in SafetyAlert.Action.values or not note.strip():
        raise UndocumentedAcknowledgement
    if needs_assessment(alert) and assessment_for_acknowledgement(alert) is None:
        raise AssessmentRequired(alert)
    alert.status = SafetyAlert.Status.ACKNOWLEDGED
    alert.acknowledged_by = acting_user
    alert.acknowledged_at = timezone.now()
    alert.action = action
    alert.action_note = note
    alert.save(
        update_fields=["status", "acknowledged_by", "acknowledged_at", "action", "action_note"]
    )
    timeline.log(alert, AlertEvent.Kind.ACKNOWLEDGED, actor=acting_user, at=alert.acknowledged_at)
    ladder.stop(alert)
    record(
        "safety.alert_acknowledged",
        acting_user=acting_user,
        participant=alert.participant,
        target=alert,
        details={"action": action, "trigger_count": alert.trigger_count},
    )
    return alert
