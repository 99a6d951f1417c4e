"""The gate to treatment plans and the clinical summary (docs/permissions.md).

Both belong to one chart, so the chart's rules decide: outsiders get 404, readers 403 on a
write. A page that shows a plan records one `careplans.plan_viewed` read instead of the chart
read.
"""

import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.careplans.models import Goal, Intervention, Objective, PlanProblem, TreatmentPlan
from openiop.lib.access import Granted
from openiop.participants.access import check_access

# A participant gets a copy of their plan once it is theirs to sign (CLINICAL.md §5.3), never a
# draft still being written.
PARTICIPANT_COPY_STATUSES = (
    TreatmentPlan.Status.AWAITING_SIGNATURES,
    TreatmentPlan.Status.ACTIVE,
)


def get_plan_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    read_event: str = "careplans.plan_viewed",
) -> Granted[TreatmentPlan]:
    try:
        plan = TreatmentPlan.objects.select_related("participant__program", "episode").get(
            code=code
        )
    except (TreatmentPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = check_access(user, plan.participant, write=write, read=False)
    if read is None:
        read = not write
    if read:
        record_read(read_event, acting_user=user, participant=plan.participant, target=plan)
    return Granted(plan, access)


def get_intervention_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, read: bool | None = None
) -> Granted[Intervention]:
    """An intervention of a plan the user may see; its page records one plan read."""
    try:
        intervention = Intervention.objects.select_related(
            "plan__participant__program", "responsible_person"
        ).get(code=code)
    except (Intervention.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = check_access(user, intervention.plan.participant, write=write, read=False)
    if read is None:
        read = not write
    if read:
        record_read(
            "careplans.plan_viewed",
            acting_user=user,
            participant=intervention.plan.participant,
            target=intervention.plan,
        )
    return Granted(intervention, access)


# Where each kind of plan item hangs from its plan.
PLAN_ITEMS: dict[str, tuple[type[Model], str]] = {
    "problem": (PlanProblem, "plan"),
    "goal": (Goal, "problem__plan"),
    "objective": (Objective, "goal__problem__plan"),
    "intervention": (Intervention, "plan"),
}


def get_plan_item(plan: TreatmentPlan, kind: str, code: uuid.UUID | str) -> Any:
    """A problem, goal, objective or intervention of `plan`, which the caller reached through
    `get_plan_for_user`; 404 for an item of any other plan."""
    if kind not in PLAN_ITEMS:
        raise Http404
    model, path = PLAN_ITEMS[kind]
    try:
        return model.objects.get(code=code, **{path: plan})  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_plan_copy_for_user(user: User, code: uuid.UUID | str) -> Granted[TreatmentPlan]:
    """A plan to export as a PDF: for chart readers, and for the participant once the plan is
    theirs to sign or in effect (they get a copy). Records `careplans.plan_exported`."""
    granted = get_plan_for_user(user, code, read=False)
    plan = granted.row
    if user.is_participant and plan.status not in PARTICIPANT_COPY_STATUSES:
        raise Http404
    record_read(
        "careplans.plan_exported", acting_user=user, participant=plan.participant, target=plan
    )
    return granted
