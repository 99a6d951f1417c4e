"""The gate to treatment plans and the clinical summary (docs/permissions.md).

Both belong to one chart, so the chart's rules decide: outsiders get 404, readers 403 on a
write. A page that shows a plan records one `careplans.plan_viewed` read instead of the chart
read.
"""

import uuid

from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.careplans.models import Intervention, TreatmentPlan
from openiop.lib.access import Granted
from openiop.participants.access import check_access


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
