"""The one gate to participants' charts. See docs/permissions.md.

Views never query Participant directly: they ask here, and get a 404 when the user has no
relationship to the chart (indistinguishable from a chart that does not exist) or a 403 when
they may read it but asked to change it.
"""

import enum
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import ProgramMembership


class Access(enum.IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


def _directed_program_ids(user: User) -> QuerySet[Any]:
    return ProgramMembership.objects.filter(user=user, role=ProgramMembership.Role.DIRECTOR).values(
        "program_id"
    )


def _member_program_ids(user: User) -> QuerySet[Any]:
    return ProgramMembership.objects.filter(user=user).values("program_id")


def _facilitated_participant_ids(user: User) -> QuerySet[Any]:
    """Participants seated in a group the user facilitates (DESIGN.md rule 1)."""
    from openiop.scheduling.models import Enrollment

    return Enrollment.objects.filter(
        status=Enrollment.Status.SEATED, group__facilitator_roles__clinician=user
    ).values("participant_id")


def visible_participants(user: User) -> QuerySet[Participant]:
    """Every chart the user may open, as one query (no per-row checks)."""
    qs = Participant.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == User.Role.PARTICIPANT:
        return qs.filter(user=user)
    # Subqueries rather than joins: no DISTINCT, so counting a large caseload stays cheap.
    on_team = CareTeamMember.objects.filter(clinician=user).values("participant_id")
    if user.role == User.Role.CLINICIAN:
        return qs.filter(Q(pk__in=on_team) | Q(pk__in=_facilitated_participant_ids(user)))
    if user.role == User.Role.PROGRAM_DIRECTOR:
        return qs.filter(
            Q(program_id__in=_directed_program_ids(user))
            | Q(pk__in=on_team)
            | Q(pk__in=_facilitated_participant_ids(user))
        )
    if user.role == User.Role.INTAKE_COORDINATOR:
        return qs.filter(program_id__in=_member_program_ids(user))
    # Administrators run accounts and the audit trail; they do not read charts.
    return qs.none()


def participant_access(user: User, participant: Participant) -> Access:
    if not user.is_authenticated or not user.is_active:
        return Access.NONE
    if user.role == User.Role.PARTICIPANT:
        # Participants read their own chart; changes go through their care team.
        return Access.READ if participant.user_id == user.pk else Access.NONE
    member = CareTeamMember.objects.filter(participant=participant, clinician=user).first()
    if member is not None and member.can_write:
        return Access.WRITE
    # A read-only seat on the team does not take away a director's or coordinator's rights
    # over their own program's charts.
    if participant.program_id is not None:
        if user.role == User.Role.PROGRAM_DIRECTOR:
            programs = _directed_program_ids(user)
        elif user.role == User.Role.INTAKE_COORDINATOR:
            programs = _member_program_ids(user)
        else:
            programs = None
        if programs is not None and programs.filter(program_id=participant.program_id).exists():
            return Access.WRITE
    if member is not None:
        return Access.READ
    # A facilitator reads the charts of the group's seated members; changes stay with the team.
    if (
        user.role in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
        and _facilitated_participant_ids(user).filter(participant_id=participant.pk).exists()
    ):
        return Access.READ
    return Access.NONE


def get_participant_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, audit_view: bool = True
) -> Participant:
    """The participant behind `code`, if `user` may see it; the chart view is audited.

    Pass `write=True` for requests that change the chart: read-only users then get a 403
    (and the write itself is audited by its action). Pass `audit_view=False` only when the
    caller records a more specific event for the same read.
    """
    try:
        participant = Participant.objects.select_related("program").get(code=code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = participant_access(user, participant)
    if access == Access.NONE:
        raise Http404
    if write and access < Access.WRITE:
        record(
            "participant.write_denied",
            acting_user=user,
            participant=participant,
            outcome="denied",
        )
        raise PermissionDenied
    if not write and audit_view:
        record("participant.chart_viewed", acting_user=user, participant=participant)
    return participant


def get_care_team_member_for_user(
    user: User, participant_code: uuid.UUID | str, member_code: uuid.UUID | str
) -> CareTeamMember:
    participant = get_participant_for_user(user, participant_code, write=True)
    if not can_manage_care_team(user, participant):
        raise PermissionDenied
    try:
        return participant.care_team.select_related("clinician").get(code=member_code)
    except (CareTeamMember.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def can_manage_care_team(user: User, participant: Participant) -> bool:
    """Who sits on a care team is a permission change: directors of the program decide."""
    return (
        user.role == User.Role.PROGRAM_DIRECTOR
        and participant.program_id is not None
        and _directed_program_ids(user).filter(program_id=participant.program_id).exists()
    )


def can_create_participants(user: User) -> bool:
    return user.is_authenticated and user.role in (
        User.Role.PROGRAM_DIRECTOR,
        User.Role.INTAKE_COORDINATOR,
    )


def programs_for_new_participants(user: User) -> QuerySet[Any]:
    from openiop.programs.models import Program

    return Program.objects.filter(pk__in=_member_program_ids(user))
