"""Who holds which place in a program: the one place every gate asks (docs/permissions.md).

Each lookup is role-bound: a membership row grants something only to a person who may hold it
(`openiop.programs.eligibility`). An administrator or a participant account that sits in a
facilitator's chair, on the on-call rota or on a care team (say, added through the Django
admin) gets nothing from it, and does not count as someone who could answer a safety alert.

The id lookups return `values("program_id")` / `values("id")` querysets, to be used as
subqueries (`program_id__in=...`): they add no query of their own.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.programs.eligibility import (
    CLINICAL_ROLES,
    Seat,
    is_clinical_staff,
    seat_programs,
)
from openiop.programs.models import Group, GroupFacilitator, Program, ProgramMembership, Track


def _active_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff_member)


def directed_program_ids(user: User) -> QuerySet[Any]:
    """Programs the user directs (program directors only)."""
    if not _active_staff(user) or user.role != User.Role.PROGRAM_DIRECTOR:
        return ProgramMembership.objects.none().values("program_id")
    return ProgramMembership.objects.filter(user=user, role=ProgramMembership.Role.DIRECTOR).values(
        "program_id"
    )


def member_program_ids(user: User) -> QuerySet[Any]:
    """Programs the user works in, in any role (staff only)."""
    if not _active_staff(user):
        return ProgramMembership.objects.none().values("program_id")
    return ProgramMembership.objects.filter(user=user).values("program_id")


def on_call_program_ids(user: User) -> QuerySet[Any]:
    """Programs whose on-call rota the user is on and may be on."""
    return (
        ProgramMembership.objects.filter(user=user, role=ProgramMembership.Role.ON_CALL)
        .filter(seat_programs(user, Seat.ON_CALL, "program"))
        .values("program_id")
    )


def facilitated_group_ids(user: User) -> QuerySet[Any]:
    """Groups the user facilitates and may facilitate."""
    return (
        GroupFacilitator.objects.filter(clinician=user)
        .filter(seat_programs(user, Seat.FACILITATOR, "group__track__program"))
        .values("group_id")
    )


def facilitated_groups(user: User) -> QuerySet[Group]:
    return Group.objects.filter(pk__in=facilitated_group_ids(user))


def is_director(user: User, program_id: int | None) -> bool:
    return (
        program_id is not None and directed_program_ids(user).filter(program_id=program_id).exists()
    )


def works_in(user: User, program_id: int | None) -> bool:
    return (
        program_id is not None and member_program_ids(user).filter(program_id=program_id).exists()
    )


def is_on_call(user: User, program_id: int | None) -> bool:
    return (
        program_id is not None and on_call_program_ids(user).filter(program_id=program_id).exists()
    )


def facilitates(user: User, group: Group) -> bool:
    return facilitated_group_ids(user).filter(group_id=group.pk).exists()


def holds_seat(user: User, seat: Seat, program_id: int | None) -> bool:
    """`eligibility.may_hold` for a program known by id (asks the database only for peers)."""
    if not is_clinical_staff(user):
        return False
    if user.discipline != User.Discipline.PEER_SPECIALIST:
        return True
    if seat is Seat.ON_CALL or program_id is None:
        return False
    return Program.objects.filter(pk=program_id, peer_specialists_allowed=True).exists()


def eligible_holders(seat: Seat, user_path: str, program_path: str) -> Q:
    """Rows (reached through `user_path` to the person and `program_path` to the program) whose
    person may hold `seat` there: `eligibility.may_hold` read from the rows' side, for checks
    such as "is anyone who could act on call for this program?"."""
    clinical = (
        Q(**{f"{user_path}__is_active": True})
        & Q(**{f"{user_path}__role__in": CLINICAL_ROLES})
        & ~Q(**{f"{user_path}__discipline": ""})
    )
    peer = Q(**{f"{user_path}__discipline": User.Discipline.PEER_SPECIALIST})
    if seat is Seat.ON_CALL:
        return clinical & ~peer
    return clinical & (~peer | Q(**{f"{program_path}__peer_specialists_allowed": True}))


# --- Program setup (docs/programs.md): the program's directors only, everyone else 404 -------


def programs_to_set_up(user: User) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=directed_program_ids(user)).order_by("name")


def _setup_row(queryset: QuerySet[Any], code: Any) -> Any:
    try:
        return queryset.get(code=code)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def get_program_to_set_up(user: User, code: Any) -> Program:
    program: Program = _setup_row(Program.objects.all(), code)
    if not is_director(user, program.pk):
        raise Http404
    return program


def get_track_to_set_up(user: User, code: Any) -> Track:
    track: Track = _setup_row(Track.objects.select_related("program"), code)
    if not is_director(user, track.program_id):
        raise Http404
    return track


def get_group_to_set_up(user: User, code: Any) -> Group:
    group: Group = _setup_row(Group.objects.select_related("track__program"), code)
    if not is_director(user, group.track.program_id):
        raise Http404
    return group
