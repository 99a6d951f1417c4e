"""Starting a review: a new draft version of the plan in effect.

The plan in effect stays in effect while the new version is written and signed; the new
version's last signature supersedes it (`actions.signing`).
"""

from django.db import transaction

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans.actions.plans import copy_plan_for_review
from openiop.careplans.models import TreatmentPlan
from openiop.careplans.reviews import REVIEW_REASONS

Status = TreatmentPlan.Status
Reason = TreatmentPlan.Reason


class ReviewError(Exception):
    """A review that cannot start; the message says why, for the person."""


@transaction.atomic
def start_review(plan: TreatmentPlan, *, reason: str, acting_user: User) -> TreatmentPlan:
    """Copy the plan in effect into a new draft (number + 1, lineages kept) for `reason`."""
    plan = (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("participant__program", "episode")
        .get(pk=plan.pk)
    )
    if reason not in REVIEW_REASONS:
        raise ReviewError("Choose why the plan is being reviewed.")
    if plan.status != Status.ACTIVE:
        raise ReviewError("Only the plan in effect can be reviewed.")
    open_version = (
        TreatmentPlan.objects.filter(
            participant=plan.participant,
            status__in=[Status.DRAFT, Status.AWAITING_SIGNATURES],
        )
        .only("number", "status")
        .first()
    )
    if open_version is not None:
        raise ReviewError(
            f"A new version is already being prepared (version {open_version.number}, "
            f"{open_version.get_status_display().lower()}): finish it first."
        )
    new = copy_plan_for_review(plan, reason=reason, acting_user=acting_user)
    # The new version is written for the level of care the participant now receives.
    if plan.episode is not None and new.level_of_care != plan.episode.level_of_care:
        new.level_of_care = plan.episode.level_of_care
        new.save(update_fields=["level_of_care", "updated_at"])
    record(
        "careplans.review_started",
        acting_user=acting_user,
        participant=plan.participant,
        target=new,
        details={
            "plan": str(new.code),
            "replaces": str(plan.code),
            "reason": reason,
            "number": new.number,
        },
    )
    return new
