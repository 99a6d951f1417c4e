"""The gate to safety plans (docs/safety.md, "Safety plans").

A plan belongs to one chart, so the chart's rules decide who sees it: outsiders get 404,
readers (a peer specialist on the team, the intake coordinator) read it and get 403 on any
change. Writing and signing also take a licensed clinician or a director of a licensed
discipline (`may_write_plans`): a peer specialist helps the participant use the plan but does
not sign it.

From an open alert, whoever receives the alert reaches the plan of its participant for the
life of the alert, even without the chart (the on-call clinician at 2 a.m.): the pages pass the
alert's code along (`?alert=` on links, a hidden `alert` field on forms) and the gate checks
it against the alert gate. Participants read only their own plan in use, at /safety/my-plan/
(`own_plan`), never a draft or an older version.

Pages that show a plan record one `safety.plan_viewed` read (`safety.plan_exported` for the
PDF); the participant reading their own plan records none (docs/permissions.md).
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.reads import record_read
from openiop.lib.access import Access
from openiop.participants.access import own_chart, participant_access
from openiop.participants.models import Participant
from openiop.safety.access import alerts_for_user, can_acknowledge
from openiop.safety.models import SafetyAlert, SafetyPlan
from openiop.safety.queries import active_plan

WRITING_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
# Disciplines that may write and sign a safety plan: licensed clinical disciplines.
WRITING_DISCIPLINES = (
    User.Discipline.PSYCHIATRIST,
    User.Discipline.PSYCHOLOGIST,
    User.Discipline.SOCIAL_WORKER,
    User.Discipline.COUNSELOR,
    User.Discipline.NURSE,
)


def may_write_plans(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in WRITING_ROLES
        and user.discipline in WRITING_DISCIPLINES
    )


@dataclass(frozen=True)
class PlanScope:
    """What the gate found: the chart, the user's access to its plans, and the open alert that
    gave (or could give) that access, carried along by the pages."""

    participant: Participant
    access: Access
    alert: SafetyAlert | None

    @property
    def can_write(self) -> bool:
        return self.access >= Access.WRITE

    @property
    def alert_code(self) -> str:
        return str(self.alert.code) if self.alert is not None else ""


def _open_alert(user: User, participant: Participant, code: str | None) -> SafetyAlert | None:
    if not code:
        return None
    try:
        return alerts_for_user(user).get(
            code=code, participant=participant, status=SafetyAlert.Status.OPEN
        )
    except (SafetyAlert.DoesNotExist, ValueError, TypeError):
        # A stale or foreign alert code grants nothing; the chart's rules still apply.
        return None


def scope_for(
    user: User, participant: Participant, *, alert_code: str | None = None, write: bool = False
) -> PlanScope:
    """The user's access to `participant`'s plans; raises 404/403 (no read recorded)."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    access = participant_access(user, participant)
    alert = _open_alert(user, participant, alert_code)
    if alert is not None:
        via_alert = Access.WRITE if can_acknowledge(user, participant) else Access.READ
        access = max(access, via_alert)
    if access == Access.NONE:
        raise Http404
    if access == Access.WRITE and not may_write_plans(user):
        access = Access.READ
    if write and access < Access.WRITE:
        record(
            "participant.write_denied",
            acting_user=user,
            participant=participant,
            outcome="denied",
        )
        raise PermissionDenied
    return PlanScope(participant, access, alert)


def get_participant_plans(
    user: User,
    code: uuid.UUID | str,
    *,
    alert_code: str | None = None,
    write: bool = False,
    read: bool | None = None,
) -> PlanScope:
    """A chart's safety plans (the overview page, starting a version)."""
    try:
        participant = Participant.objects.select_related("program").get(code=code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    scope = scope_for(user, participant, alert_code=alert_code, write=write)
    if read if read is not None else not write:
        record_read("safety.plan_viewed", acting_user=user, participant=participant)
    return scope


def get_plan_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    alert_code: str | None = None,
    write: bool = False,
    read: bool | None = None,
) -> tuple[SafetyPlan, PlanScope]:
    """One version of a plan, with the user's scope over its chart."""
    try:
        plan = SafetyPlan.objects.select_related(
            "participant__program", "created_by", "signed_by"
        ).get(code=code)
    except (SafetyPlan.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    scope = scope_for(user, plan.participant, alert_code=alert_code, write=write)
    if read if read is not None else not write:
        record_read(
            "safety.plan_viewed", acting_user=user, participant=plan.participant, target=plan
        )
    return plan, scope


def own_plan(user: User) -> tuple[Participant, SafetyPlan | None]:
    """The signed-in participant's chart and their plan in use (None before one is signed).
    404 for staff. No read event: the person whose record it is reads it."""
    participant = own_chart(user)
    return participant, active_plan(participant)


def record_export(user: User, plan: SafetyPlan) -> None:
    """A staff member's PDF of a plan (the participant's own PDF records nothing)."""
    record_read(
        "safety.plan_exported",
        acting_user=user,
        participant=plan.participant,
        target=plan,
        details={"format": "pdf"},
    )
