"""Writes to safety plans: start a version, save the draft, sign it, review it, and the
participant's "I have read my plan". Each is atomic and audited in the same transaction.

A signed version is never edited: changing a plan in use starts a new draft as a copy of it
(`start_draft`), and signing the draft supersedes the version it replaces.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib.integrity import content_hash
from openiop.lib.timefmt import in_zone
from openiop.participants.models import Participant
from openiop.safety import timeline
from openiop.safety.models import (
    AlertEvent,
    MeansSafetyAction,
    SafetyAlert,
    SafetyPlan,
    SafetyPlanEntry,
    SafetyPlanReview,
)

Step = SafetyPlanEntry.Step

# Step 5 of a first version starts with the crisis lines (CLINICAL.md §4.2) and a line for the
# care team, which the clinician completes with the participant. OpenIOP's own words.
CRISIS_LINES = (
    "988 Suicide & Crisis Lifeline, any time, day or night: call or text 988, "
    "or chat at 988lifeline.org",
    "If I am in immediate danger: call 911 or go to the nearest emergency department",
)
# Steps that a version must have at least one line in before it is signed: what to watch for,
# what to do first on one's own, and who to reach in a crisis.
REQUIRED_STEPS = (Step.WARNING_SIGNS, Step.COPING, Step.PROFESSIONALS)


class PlanError(Exception):
    """A plan change that cannot be made; the message is for the person who asked."""


@dataclass
class Line:
    text: str
    phone: str = ""

    @property
    def is_blank(self) -> bool:
        return not self.text.strip() and not self.phone


@dataclass
class Means:
    means: str
    action: str
    responsible_person: str = ""
    verified_on: datetime.date | None = None

    @property
    def is_blank(self) -> bool:
        return not (self.means.strip() or self.action.strip() or self.responsible_person.strip())


@dataclass
class PlanContent:
    """Everything a version holds that the editor changes."""

    lines: dict[int, list[Line]] = field(default_factory=lambda: {s: [] for s in Step.values})
    means: list[Means] = field(default_factory=list)
    reason_for_living: str = ""
    review_due_on: datetime.date | None = None
    participant_participated: bool = True

    @classmethod
    def of(cls, plan: SafetyPlan) -> "PlanContent":
        content = cls(
            reason_for_living=plan.reason_for_living,
            review_due_on=plan.review_due_on,
            participant_participated=plan.participant_participated,
        )
        for entry in plan.entries.all():
            content.lines[entry.step].append(Line(entry.text, str(entry.phone or "")))
        content.means = [
            Means(m.means, m.action, m.responsible_person, m.verified_on)
            for m in plan.means_actions.all()
        ]
        return content

    def line_count(self) -> int:
        return sum(1 for lines in self.lines.values() for line in lines if not line.is_blank)


def starter_content(participant: Participant) -> PlanContent:
    content = PlanContent()
    content.lines[Step.PROFESSIONALS] = [Line(text) for text in CRISIS_LINES]
    program = participant.program.name if participant.program is not None else "my program"
    content.lines[Step.PROFESSIONALS].append(Line(f"My care team at {program}"))
    return content


def _write_content(plan: SafetyPlan, content: PlanContent, *, drop_blank: bool = False) -> None:
    plan.entries.all().delete()
    plan.means_actions.all().delete()
    entries: list[SafetyPlanEntry] = []
    for step, lines in content.lines.items():
        kept = [line for line in lines if not (drop_blank and line.is_blank)]
        entries.extend(
            SafetyPlanEntry(
                plan=plan, step=step, position=position, text=line.text, phone=line.phone
            )
            for position, line in enumerate(kept)
        )
    SafetyPlanEntry.objects.bulk_create(entries)
    MeansSafetyAction.objects.bulk_create(
        MeansSafetyAction(
            plan=plan,
            means=m.means,
            action=m.action,
            responsible_person=m.responsible_person,
            verified_on=m.verified_on,
        )
        for m in content.means
        if not (drop_blank and m.is_blank)
    )
    plan.reason_for_living = content.reason_for_living
    plan.review_due_on = content.review_due_on
    plan.participant_participated = content.participant_participated


def _log(alert: SafetyAlert | None, acting_user: User, detail: str) -> None:
    if alert is not None:
        timeline.log(alert, AlertEvent.Kind.SAFETY_PLAN, actor=acting_user, detail=detail)


def _alert_code(alert: SafetyAlert | None) -> str | None:
    return str(alert.code) if alert is not None else None


@transaction.atomic
def start_draft(
    participant: Participant, *, acting_user: User, alert: SafetyAlert | None = None
) -> SafetyPlan:
    """The participant's draft: the one in progress, or a new version copied from the plan in
    use (or, for a first plan, started with the crisis lines in step 5)."""
    # Lock the chart so two clinicians starting a version at once number it once.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    existing = SafetyPlan.objects.filter(
        participant=participant, status=SafetyPlan.Status.DRAFT
    ).first()
    if existing is not None:
        return existing
    active = (
        SafetyPlan.objects.filter(participant=participant, status=SafetyPlan.Status.ACTIVE)
        .prefetch_related("entries", "means_actions")
        .first()
    )
    content = PlanContent.of(active) if active is not None else starter_content(participant)
    latest = SafetyPlan.objects.filter(participant=participant).aggregate(n=Max("version"))["n"]
    try:
        with transaction.atomic():
            plan = SafetyPlan.objects.create(
                participant=participant,
                version=(latest or 0) + 1,
                created_by=acting_user,
                created_at=timezone.now(),
                alert=alert,
                participant_participated=content.participant_participated,
            )
    except IntegrityError as exc:  # pragma: no cover - the row lock above serialises this
        raise PlanError("Someone else started a new version just now; open it.") from exc
    _write_content(plan, content)
    plan.save()
    record(
        "safety.plan_started",
        acting_user=acting_user,
        participant=participant,
        target=plan,
        details={
            "safety_plan": str(plan.code),
            "version": plan.version,
            "replaces": str(active.code) if active is not None else None,
            "alert": _alert_code(alert),
        },
    )
    _log(alert, acting_user, f"Safety plan version {plan.version} started")
    return plan


def _locked_draft(plan: SafetyPlan) -> SafetyPlan:
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if not plan.is_draft:
        raise PlanError("This version is signed already; start a new version to change it.")
    return plan


@transaction.atomic
def save_draft(plan: SafetyPlan, *, content: PlanContent, acting_user: User) -> SafetyPlan:
    """Replace the draft's lines, means-safety actions and reason for living."""
    plan = _locked_draft(plan)
    _write_content(plan, content)
    plan.save()
    record(
        "safety.plan_saved",
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={"safety_plan": str(plan.code), "lines": content.line_count()},
    )
    return plan


def signed_content(plan: SafetyPlan) -> dict[str, Any]:
    """What the signature covers: every line, action and the reason for living, in order."""
    return {
        "participant": str(plan.participant.code),
        "version": plan.version,
        "participant_participated": plan.participant_participated,
        "reason_for_living": plan.reason_for_living,
        "entries": [
            [e.step, e.position, e.text, str(e.phone or "")]
            for e in plan.entries.order_by("step", "position", "id")
        ],
        "means": [
            [m.means, m.action, m.responsible_person, m.verified_on]
            for m in plan.means_actions.order_by("id")
        ],
    }


@transaction.atomic
def sign_plan(
    plan: SafetyPlan,
    *,
    content: PlanContent,
    acting_user: User,
    alert: SafetyAlert | None = None,
) -> SafetyPlan:
    """Save `content` and sign the draft: it becomes the plan in use, and the version in use
    before it is superseded. Blank lines are left out of the signed version."""
    plan = _locked_draft(plan)
    missing = [
        str(Step(step).label)
        for step in REQUIRED_STEPS
        if not any(not line.is_blank for line in content.lines.get(step, []))
    ]
    if missing:
        raise PlanError(
            "Add at least one line to each of these steps before signing: "
            + "; ".join(missing)
            + "."
        )
    _write_content(plan, content, drop_blank=True)
    previous = (
        SafetyPlan.objects.select_for_update()
        .filter(participant=plan.participant, status=SafetyPlan.Status.ACTIVE)
        .first()
    )
    if previous is not None:
        previous.status = SafetyPlan.Status.SUPERSEDED
        previous.save(update_fields=["status", "updated_at"])
    plan.status = SafetyPlan.Status.ACTIVE
    plan.signed_by = acting_user
    plan.signed_at = timezone.now()
    plan.participant_acknowledged_at = None
    if alert is not None and plan.alert_id is None:
        plan.alert = alert
    plan.content_hash = content_hash(signed_content(plan))
    plan.save()
    record(
        "safety.plan_signed",
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={
            "safety_plan": str(plan.code),
            "version": plan.version,
            "replaces": str(previous.code) if previous is not None else None,
            "lines": content.line_count(),
            "alert": _alert_code(alert),
        },
    )
    _log(alert, acting_user, f"Safety plan version {plan.version} signed")
    return plan


@transaction.atomic
def review_plan(
    plan: SafetyPlan,
    *,
    reason: str,
    outcome: str,
    note: str,
    acting_user: User,
    alert: SafetyAlert | None = None,
    next_review_on: datetime.date | None = None,
) -> tuple[SafetyPlanReview, SafetyPlan | None]:
    """Record a review of the plan in use. A revision opens (or returns) the draft of the next
    version, which the caller sends the clinician to; the plan in use stays in use until that
    draft is signed. Returns the review and the draft (None when unchanged)."""
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != SafetyPlan.Status.ACTIVE:
        raise PlanError("Only the plan in use is reviewed.")
    review = SafetyPlanReview.objects.create(
        plan=plan,
        alert=alert,
        reason=reason,
        outcome=outcome,
        note=note,
        reviewed_by=acting_user,
        reviewed_at=timezone.now(),
    )
    plan.review_due_on = next_review_on
    plan.save(update_fields=["review_due_on", "updated_at"])
    record(
        "safety.plan_reviewed",
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={
            "safety_plan": str(plan.code),
            "reason": reason,
            "status": outcome,
            "alert": _alert_code(alert),
        },
    )
    _log(alert, acting_user, f"Safety plan reviewed: {review.get_outcome_display()}")
    draft = None
    if outcome == SafetyPlanReview.Outcome.REVISED:
        draft = start_draft(plan.participant, acting_user=acting_user, alert=alert)
    return review, draft


@transaction.atomic
def prompt_review(participant: Participant, *, reason: str, acting_user: User) -> bool:
    """A level-of-care change (admission, readmission) or discharge makes the plan in use due
    for review today, in the program's zone. Returns whether there was a plan to prompt."""
    plan = (
        SafetyPlan.objects.select_for_update()
        .filter(participant=participant, status=SafetyPlan.Status.ACTIVE)
        .first()
    )
    if plan is None:
        return False
    zone = participant.program.timezone if participant.program is not None else "UTC"
    today = in_zone(timezone.now(), zone).date()
    if plan.review_due_on is None or plan.review_due_on > today:
        plan.review_due_on = today
        plan.save(update_fields=["review_due_on", "updated_at"])
    record(
        "safety.plan_review_requested",
        acting_user=acting_user,
        participant=participant,
        target=plan,
        details={"safety_plan": str(plan.code), "reason": reason},
    )
    return True


@transaction.atomic
def acknowledge_plan(plan: SafetyPlan, *, acting_user: User) -> SafetyPlan:
    """The participant says they have read the version in use."""
    plan = SafetyPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != SafetyPlan.Status.ACTIVE:
        raise PlanError("This version is no longer in use; open your plan again.")
    if plan.participant_acknowledged_at is None:
        plan.participant_acknowledged_at = timezone.now()
        plan.save(update_fields=["participant_acknowledged_at", "updated_at"])
        record(
            "safety.plan_acknowledged",
            acting_user=acting_user,
            participant=plan.participant,
            target=plan,
            details={"safety_plan": str(plan.code), "version": plan.version},
        )
    return plan
