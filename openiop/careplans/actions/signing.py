"""Submitting a plan for signatures, signing it, and the plan taking effect.

draft → awaiting_signatures (submit_for_signatures) → active (the last required signature)
→ superseded (when a later version takes effect). A plan awaiting signatures cannot be edited;
`return_to_draft` takes it back to the editor and voids the signatures given so far.

Lock order: the plan row first, then the participant's other plans, then `audit.record`.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans.content import load_content, plan_hash
from openiop.careplans.models import PlanSignature, TreatmentPlan
from openiop.careplans.signatures import (
    MAX_WEEKLY_HOURS,
    SigningError,
    attestation,
    care_team,
    physicians,
    primary_clinicians,
    required_roles,
    why_not,
)
from openiop.lib.recurrence import get_zone

Status = TreatmentPlan.Status
Role = PlanSignature.Role


def _locked(plan: TreatmentPlan) -> TreatmentPlan:
    return (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("participant__program", "participant__user", "episode")
        .get(pk=plan.pk)
    )


def _content_problems(plan: TreatmentPlan) -> list[str]:
    """What keeps a draft from being signed (its children prefetched)."""
    objectives = [
        objective
        for problem in plan.problems.all()
        for goal in problem.goals.all()
        for objective in goal.objectives.all()
    ]
    found = []
    if not objectives:
        found.append("Add at least one problem with a goal and an objective.")
    # The editor may keep an undated objective in a draft; a signed plan may not.
    undated = sum(1 for objective in objectives if objective.target_date is None)
    if undated:
        found.append(f"Give every objective a target date ({undated} without one).")
    if not plan.interventions.all():
        found.append(
            "Add at least one intervention: what the participant will receive, how often and "
            "from whom."
        )
    return found


@transaction.atomic
def submit_for_signatures(plan: TreatmentPlan, *, acting_user: User) -> TreatmentPlan:
    """Lock the draft and ask for its signatures, once it is complete enough to sign."""
    plan = _locked(plan)
    if plan.status != Status.DRAFT:
        raise SigningError(
            f"Only a draft can be submitted for signatures; this version is "
            f"{plan.get_status_display().lower()}."
        )
    load_content(plan)
    problems = _content_problems(plan)
    team = care_team(plan.participant)
    if not primary_clinicians(team):
        problems.append(
            f"{plan.participant.short_name} has no primary clinician on the care team: the "
            f"program director adds one from the chart."
        )
    if Role.PHYSICIAN in required_roles(plan) and not physicians(team):
        problems.append(
            "This program needs a physician to certify the plan, and no physician (a "
            "psychiatrist, or a doctor with an MD or DO) is on the care team."
        )
    if problems:
        raise SigningError(*problems)
    fields = ["status", "updated_at"]
    if not plan.level_of_care and plan.episode is not None:
        plan.level_of_care = plan.episode.level_of_care
        fields.append("level_of_care")
    plan.status = Status.AWAITING_SIGNATURES
    plan.save(update_fields=fields)
    record(
        "careplans.plan_submitted",
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={"plan": str(plan.code), "number": plan.number},
    )
    return plan


@transaction.atomic
def sign_plan(
    plan: TreatmentPlan,
    *,
    role: str,
    typed_name: str,
    signed_hash: str,
    acting_user: User,
    certified_weekly_hours: Decimal | None = None,
) -> PlanSignature:
    """Add `acting_user`'s signature as `role`; the last required one puts the plan in effect.

    `signed_hash` is the content hash of the plan the signer read: a plan that changed since
    (returned to draft and edited) is refused rather than signed unseen.
    """
    plan = _locked(plan)
    if plan.status == Status.DRAFT:
        raise SigningError("This plan is still a draft: submit it for signatures first.")
    if plan.status == Status.ACTIVE:
        raise SigningError("This version is already in effect: everyone has signed it.")
    if plan.status == Status.SUPERSEDED:
        raise SigningError("A later version replaced this one: it can no longer be signed.")
    existing = plan.signatures.filter(role=role).select_related("signed_by").first()
    if existing is not None:
        raise SigningError(
            f"This plan already has the {existing.get_role_display().lower()}'s signature."
        )
    team = care_team(plan.participant)
    reason = why_not(plan, acting_user, role, team)
    if reason:
        raise SigningError(reason)
    typed_name = " ".join(typed_name.split())
    if not typed_name:
        raise SigningError("Type your full name to sign.")
    hours = None
    if role == Role.PHYSICIAN:
        program = plan.participant.program
        minimum = program.weekly_minimum_hours if program else Decimal(0)
        if certified_weekly_hours is None:
            raise SigningError("Give the weekly hours of treatment you certify.")
        if certified_weekly_hours < minimum:
            raise SigningError(
                f"Certify at least {minimum} hours a week, the program's minimum: a person "
                f"who needs fewer hours needs a lower level of care."
            )
        if certified_weekly_hours > MAX_WEEKLY_HOURS:
            raise SigningError("A week has 168 hours: check the hours you certify.")
        hours = certified_weekly_hours
    load_content(plan)
    current = plan_hash(plan)
    if signed_hash != current:
        raise SigningError("The plan changed since you opened it. Read it again before you sign.")
    try:
        with transaction.atomic():
            signature = PlanSignature.objects.create(
                plan=plan,
                role=role,
                signed_by=acting_user,
                typed_name=typed_name,
                attestation=attestation(role, hours=hours),
                content_hash=current,
                signed_at=timezone.now(),
            )
    except IntegrityError as exc:  # the database's one_signature_per_role
        raise SigningError("This plan already has that signature.") from exc
    if hours is not None:
        plan.certified_weekly_hours = hours
        plan.save(update_fields=["certified_weekly_hours", "updated_at"])
    record(
        "careplans.plan_signed",
        acting_user=acting_user,
        participant=plan.participant,
        target=signature,
        details={"plan": str(plan.code), "role": role, "number": plan.number},
    )
    signed = set(plan.signatures.values_list("role", flat=True))
    if set(required_roles(plan)) <= signed:
        _take_effect(plan, current, acting_user=acting_user)
    return signature


def _take_effect(plan: TreatmentPlan, current_hash: str, *, acting_user: User) -> None:
    """Every signature is in: the plan takes effect and replaces the version before it."""
    if plan.signatures.exclude(content_hash=current_hash).exists():
        raise SigningError("A signature does not match the plan as it stands: return it to draft.")
    now = timezone.now()
    previous = list(
        TreatmentPlan.objects.select_for_update()
        .filter(participant=plan.participant, status=Status.ACTIVE)
        .exclude(pk=plan.pk)
    )
    for old in previous:
        old.status = Status.SUPERSEDED
        old.save(update_fields=["status", "updated_at"])
    program = plan.participant.program
    zone = program.timezone if program else "UTC"
    review_days = program.plan_review_days if program else 30
    plan.status = Status.ACTIVE
    plan.effective_at = now
    plan.review_due_on = now.astimezone(get_zone(zone)).date() + timedelta(days=review_days)
    plan.save(update_fields=["status", "effective_at", "review_due_on", "updated_at"])
    record(
        "careplans.plan_activated",
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={
            "plan": str(plan.code),
            "number": plan.number,
            "replaces": str(previous[0].code) if previous else None,
            "date": plan.review_due_on.isoformat(),
        },
    )


@transaction.atomic
def return_to_draft(plan: TreatmentPlan, *, acting_user: User) -> TreatmentPlan:
    """Take a plan awaiting signatures back to the editor; the signatures given are void
    (they covered content about to change) and are removed, the audit trail keeps them."""
    plan = _locked(plan)
    if plan.status != Status.AWAITING_SIGNATURES:
        raise SigningError("Only a plan awaiting signatures can go back to draft.")
    removed, _ = plan.signatures.all().delete()
    plan.status = Status.DRAFT
    plan.edit_version += 1
    plan.save(update_fields=["status", "edit_version", "updated_at"])
    record(
        "careplans.plan_returned_to_draft",
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={"plan": str(plan.code), "number": plan.number, "removed": removed},
    )
    return plan
