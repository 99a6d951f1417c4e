"""The gate to treatment plans and the clinical summary (docs/permissions.md).

Both belong to one chart, so the chart's rules decide: outsiders get 404, readers 403 on a
write. A page that shows a plan records one `careplans.plan_viewed` read instead of the chart
read; the summary's pages record `careplans.summary_viewed` (the summary, an item's edit
form) or `careplans.summary_history_viewed` (an item's versions).
"""

import uuid
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.careplans.models import (
    Allergy,
    Diagnosis,
    Goal,
    Intervention,
    Medication,
    Objective,
    PlanProblem,
    ProblemListEntry,
    SummaryRevision,
    TreatmentPlan,
)
from openiop.lib.access import Granted
from openiop.participants.access import check_access, get_participant_for_user
from openiop.participants.models import Participant

SUMMARY_MODELS: dict[str, Any] = {
    SummaryRevision.Kind.DIAGNOSIS: Diagnosis,
    SummaryRevision.Kind.PROBLEM: ProblemListEntry,
    SummaryRevision.Kind.MEDICATION: Medication,
    SummaryRevision.Kind.ALLERGY: Allergy,
}

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


def get_summary_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, read: bool | None = None
) -> Granted[Participant]:
    """The chart whose clinical summary is asked for. A page that shows the summary records
    one `careplans.summary_viewed` read (instead of the chart read)."""
    participant, access = get_participant_for_user(user, code, write=write, read=False)
    if read is None:
        read = not write
    if read:
        record_read("careplans.summary_viewed", acting_user=user, participant=participant)
    return Granted(participant, access)


def get_summary_item_for_user(
    user: User,
    code: uuid.UUID | str,
    kind: str,
    item_code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    read_event: str = "careplans.summary_viewed",
) -> Granted[Any]:
    """One diagnosis, problem, medication or allergy of the chart `code`: 404 unless the item
    is that chart's (and the user may see the chart), 403 for a reader asking to write."""
    model = SUMMARY_MODELS.get(kind)
    if model is None:
        raise Http404
    participant, access = get_participant_for_user(user, code, write=write, read=False)
    try:
        item = model.objects.select_related("updated_by").get(
            code=item_code, participant=participant
        )
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    item.participant = participant
    if read is None:
        read = not write
    if read:
        record_read(read_event, acting_user=user, participant=participant, target=item)
    return Granted(item, access)
