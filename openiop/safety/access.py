"""Who sees and who closes safety alerts.

An alert goes to the participant's care team and to the on-call clinicians of the
participant's program. When nobody could act on it (no care-team member with write access and
no one on call for the program, e.g. a person just referred), it goes to the program's
directors instead, so no alert goes unseen. Anyone else gets a 404. Acknowledging takes a
clinician or director among those recipients, other than read-only team members (e.g. a peer
specialist), who see the alert but get a 403 on acknowledging it.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import ProgramMembership
from openiop.safety.models import SafetyAlert

ACKNOWLEDGING_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)


def _on_call_program_ids(user: User) -> QuerySet:
    return ProgramMembership.objects.filter(user=user, role=ProgramMembership.Role.ON_CALL).values(
        "program_id"
    )


def _directed_program_ids(user: User) -> QuerySet:
    return ProgramMembership.objects.filter(user=user, role=ProgramMembership.Role.DIRECTOR).values(
        "program_id"
    )


def _unattended(participant_ref: str, program_ref: str) -> Q:
    """Nobody on the care team may write and nobody is on call for the program."""
    writers = CareTeamMember.objects.filter(participant=OuterRef(participant_ref), can_write=True)
    on_call = ProgramMembership.objects.filter(
        program=OuterRef(program_ref), role=ProgramMembership.Role.ON_CALL
    )
    return ~Exists(writers) & ~Exists(on_call)


def alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    """Every alert the user receives, as one query."""
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        return SafetyAlert.objects.none()
    on_team = CareTeamMember.objects.filter(participant=OuterRef("participant"), clinician=user)
    return SafetyAlert.objects.filter(
        Exists(on_team)
        | Q(participant__program_id__in=_on_call_program_ids(user))
        | (
            Q(participant__program_id__in=_directed_program_ids(user))
            & _unattended("participant", "participant__program")
        )
    )


def open_alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    return (
        alerts_for_user(user)
        .filter(status=SafetyAlert.Status.OPEN)
        .select_related("participant")
        .order_by("opened_at", "id")
    )


def can_acknowledge(user: User, participant: Participant) -> bool:
    if user.role not in ACKNOWLEDGING_ROLES:
        return False
    if CareTeamMember.objects.filter(
        participant=participant, clinician=user, can_write=True
    ).exists():
        return True
    if participant.program_id is None:
        return False
    if _on_call_program_ids(user).filter(program_id=participant.program_id).exists():
        return True
    return (
        _directed_program_ids(user).filter(program_id=participant.program_id).exists()
        and Participant.objects.filter(pk=participant.pk)
        .filter(_unattended("pk", "program"))
        .exists()
    )


def get_alert_for_user(
    user: User, code: uuid.UUID | str, *, acknowledge: bool = False
) -> SafetyAlert:
    try:
        alert = alerts_for_user(user).select_related("participant").get(code=code)
    except (SafetyAlert.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if acknowledge and not can_acknowledge(user, alert.participant):
        raise PermissionDenied
    if not acknowledge:
        record("safety.alert_viewed", acting_user=user, participant=alert.participant, target=alert)
    return alert
