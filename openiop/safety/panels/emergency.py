"""The alert page's emergency panel: what a recipient needs to act, from the alert itself.

Whoever may open an alert (owner, care team, on-call clinician, director, whoever the ladder
notified) sees, for the life of the alert, the answers that triggered it, the participant's
phone, where they said they were at their current or last video session, their emergency
contact and a way to their current safety plan; not the whole chart (CLINICAL.md §6.4,
minimum necessary). Once the alert is closed the panel shows none of it. The gate
(openiop.safety.access.get_alert_for_user with page=True) records each view as the read event
`safety.emergency_details_viewed` and puts it on the alert's timeline.
"""

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Granted
from openiop.safety import hooks, panels
from openiop.safety.access import shows_emergency_details
from openiop.safety.models import AlertTrigger, SafetyAlert, SafetyPlan


@dataclass(frozen=True)
class AnswerRow:
    number: str
    text: str
    answer: str
    critical: bool


@dataclass(frozen=True)
class TriggeringResponse:
    title: str
    submitted: bool
    at: Any
    rows: list[AnswerRow]
    findings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EmergencyDetails:
    participant: Any
    responses: list[TriggeringResponse]
    location: hooks.ReportedLocation | None
    plan: SafetyPlan | None
    plan_url: str


def _answer_text(item: Any, value: Any) -> str:
    if value is None or value == "":
        return "Not answered"
    if item.type == "choice":
        option = item.option(str(value))
        return option.label if option is not None else str(value)
    return str(value)


def answer_rows(response: Any) -> list[AnswerRow]:
    """Every question of the response's instrument, in order, with the answer given.

    Reads the definition through the response (assessments sits above safety, so nothing is
    imported from it); display-only items are skipped. Questions are numbered as the
    participant saw them: the item's ``prefix`` when it has one (the ASQ's "4a"), else counted."""
    definition = response.instrument.definition
    critical = {hit.get("item") for hit in response.critical_items or []}
    answers = response.answers or {}
    rows = []
    shown: set[str] = set()
    number = 0
    for item in definition.items:
        if item.type == "display":
            continue
        number += 1
        if not _was_shown(item, answers, shown):
            continue
        shown.add(item.link_id)
        rows.append(
            AnswerRow(
                number=item.prefix or str(number),
                text=item.text,
                answer=_answer_text(item, answers.get(item.link_id)),
                critical=item.link_id in critical,
            )
        )
    return rows


def _was_shown(item: Any, answers: dict[str, Any], shown: set[str]) -> bool:
    """Did the form show this question for these answers? (The rule of the assessments app's
    `enabled_items`, which sits above safety: a follow-up to a question not asked, or not
    answered the way that asks it, was never seen and is not listed as "not answered".)"""
    conditions = getattr(item, "enable_when", ())
    if not conditions:
        return True
    checks = [c.question in shown and answers.get(c.question) == c.answer_code for c in conditions]
    return any(checks) if getattr(item, "enable_behavior", "any") == "any" else all(checks)


def triggering_responses(alert: SafetyAlert) -> list[TriggeringResponse]:
    """The responses behind the alert, newest signal first, each once (two queries)."""
    triggers = (
        AlertTrigger.objects.filter(alert=alert, response__isnull=False)
        .select_related("response__instrument")
        .order_by("-raised_at", "-id")
    )
    seen: set[int] = set()
    found = []
    for trigger in triggers:
        response = trigger.response
        if response is None or response.pk in seen:
            continue
        seen.add(response.pk)
        found.append(
            TriggeringResponse(
                title=response.instrument.title,
                submitted=response.is_submitted,
                at=response.submitted_at or response.updated_at,
                rows=answer_rows(response),
                findings=list(response.positive_findings),
            )
        )
    return found


def _plan_url(plan: SafetyPlan | None) -> str:
    if plan is None:
        return ""
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:  # the safety-plan pages are not installed (yet)
        return ""


@panels.register
def emergency_panel(request: AuthedRequest, granted: Granted[SafetyAlert]) -> dict[str, Any]:
    alert = granted.row
    if not shows_emergency_details(alert):
        return {"emergency": None}
    participant = alert.participant
    plan = SafetyPlan.objects.filter(
        participant=participant, status=SafetyPlan.Status.ACTIVE
    ).first()
    return {
        "emergency": EmergencyDetails(
            participant=participant,
            responses=triggering_responses(alert),
            location=hooks.last_location(participant),
            plan=plan,
            plan_url=_plan_url(plan),
        )
    }
