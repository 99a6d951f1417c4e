"""The gate to programs' schedules, groups and sessions (see docs/permissions.md).

Outsiders get 404; people who may look but not change get 403 on writes.
- Directors of the program manage everything in it.
- Intake coordinators of the program see the week grid and rosters and admit participants.
- Facilitators see their group's roster and sessions and record attendance.
- Participants see only their own week (queries.participant_bookings), never rosters.
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openiop.accounts.models import User
from openiop.programs.models import Group, GroupFacilitator, Program, ProgramMembership
from openiop.scheduling.models import Enrollment, Session


def _role_in_program(user: User, program_id: int) -> set[str]:
    if not user.is_authenticated or not user.is_staff_member:
        return set()
    return set(
        ProgramMembership.objects.filter(user=user, program_id=program_id).values_list(
            "role", flat=True
        )
    )


def is_director(user: User, program_id: int) -> bool:
    return (
        user.role == User.Role.PROGRAM_DIRECTOR
        and ProgramMembership.Role.DIRECTOR in _role_in_program(user, program_id)
    )


def can_admit(user: User, program_id: int) -> bool:
    if is_director(user, program_id):
        return True
    return user.role == User.Role.INTAKE_COORDINATOR and bool(_role_in_program(user, program_id))


def _lookup(model: Any, code: uuid.UUID | str, **related: Any) -> Any:
    try:
        return model.objects.select_related(*related.get("related", ())).get(code=code)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_program_for_user(user: User, code: uuid.UUID | str) -> Program:
    """Directors and intake coordinators of the program see its week."""
    program: Program = _lookup(Program, code)
    if not can_admit(user, program.pk):
        raise Http404
    return program


def get_program_for_director(user: User, code: uuid.UUID | str) -> Program:
    program = get_program_for_user(user, code)
    if not is_director(user, program.pk):
        raise PermissionDenied
    return program


def programs_for_user(user: User) -> Any:
    """Programs whose week grid the user may open (mirrors get_program_for_user)."""
    roles = [ProgramMembership.Role.DIRECTOR] if user.role == User.Role.PROGRAM_DIRECTOR else []
    if user.role == User.Role.INTAKE_COORDINATOR:
        roles = list(ProgramMembership.Role)
    return (
        Program.objects.filter(memberships__user=user, memberships__role__in=roles)
        .distinct()
        .order_by("name")
    )


def facilitated_groups(user: User) -> Any:
    return (
        Group.objects.filter(facilitator_roles__clinician=user, is_active=True)
        .select_related("track")
        .order_by("track__name", "name")
    )


def facilitates(user: User, group: Group) -> bool:
    return GroupFacilitator.objects.filter(group=group, clinician=user).exists()


def get_group_for_user(user: User, code: uuid.UUID | str, *, manage: bool = False) -> Group:
    """Facilitators, directors and intake coordinators see a group; `manage` asks for
    admitting and discharging (directors and intake coordinators of the program)."""
    group: Group = _lookup(Group, code, related=("track__program",))
    program_id = group.track.program_id
    if can_admit(user, program_id):
        return group
    if not facilitates(user, group):
        raise Http404
    if manage:
        raise PermissionDenied
    return group


def get_group_for_director(user: User, code: uuid.UUID | str) -> Group:
    """Seats and extra sessions are for the program's directors; others who manage get 403."""
    group = get_group_for_user(user, code, manage=True)
    if not is_director(user, group.track.program_id):
        raise PermissionDenied
    return group


def get_session_for_user(
    user: User, code: uuid.UUID | str, *, cancel: bool = False, attend: bool = False
) -> Session:
    """Group sessions follow their group; appointments are seen by their clinician and the
    program's directors. Cancelling is for directors (and an appointment's clinician);
    recording attendance for directors and the group's facilitators."""
    session: Session = _lookup(Session, code, related=("group", "clinician", "program"))
    director = is_director(user, session.program_id)
    if session.group is not None:
        get_group_for_user(user, session.group.code)
        if cancel and not director:
            raise PermissionDenied
        if attend and not (director or facilitates(user, session.group)):
            raise PermissionDenied
        return session
    if session.clinician_id == user.pk or director:
        return session
    raise Http404


def get_enrollment_for_user(user: User, code: uuid.UUID | str) -> Enrollment:
    enrollment: Enrollment = _lookup(
        Enrollment, code, related=("group__track__program", "participant")
    )
    get_group_for_user(user, enrollment.group.code, manage=True)
    return enrollment


def viewer_timezone(user: User) -> str:
    """Participants see their chart's timezone; staff their account's."""
    if user.is_participant:
        participant = getattr(user, "participant", None)
        if participant is not None:
            return str(participant.timezone)
    return str(user.timezone)
