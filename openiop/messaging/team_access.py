"""The gate to the care team's coordination pages (docs/team.md).

A participant's team page (thread, tasks, case-review decisions) is for the people who run
their care together: members of their care team (read-only members too: coordinating is not
changing the chart) and the directors of their program. Everyone else gets 404: the
participant, their guardians, facilitators who only read the chart, intake coordinators and
other programs' staff. A discharged chart's team page is read-only (403 on a write).

Tasks are also reached by their owner, who may be program staff off the team ("My tasks").

The weekly case review is the program's: its directors and clinicians; everyone else 404.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.reads import record_read, record_read_once
from openiop.lib.access import Access, Granted
from openiop.messaging.models import TeamTask
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat, seat_programs
from openiop.programs.models import Program, ProgramMembership

TEAM_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
# Program staff a task may be given to (an intake coordinator: "call to rebook intake").
OWNER_ROLES = (*TEAM_ROLES, User.Role.INTAKE_COORDINATOR)


def _staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in TEAM_ROLES)


def team_seats(user: User) -> QuerySet[CareTeamMember]:
    """The user's care-team places that count (the chart gate's rule: only where they may sit
    on a care team)."""
    return CareTeamMember.objects.filter(clinician=user).filter(
        seat_programs(user, Seat.CARE_TEAM, "participant__program")
    )


def team_participants(user: User) -> QuerySet[Participant]:
    """Every participant whose team page the user may open, as one query."""
    if not _staff(user):
        return Participant.objects.none()
    return Participant.objects.filter(
        Q(pk__in=team_seats(user).values("participant_id"))
        | Q(program_id__in=programs.directed_program_ids(user))
    )


def team_access(user: User, participant: Participant) -> Access:
    if not _staff(user):
        return Access.NONE
    on_team = team_seats(user).filter(participant=participant).exists()
    if not on_team and not programs.is_director(user, participant.program_id):
        return Access.NONE
    if participant.discharged_at is not None:
        return Access.READ
    return Access.WRITE


def get_team_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, read: bool | None = None
) -> Granted[Participant]:
    """The participant behind `code` for their team page. `read` (default: not `write`)
    records one `messaging.team_viewed` read."""
    try:
        participant = Participant.objects.select_related("program").get(code=code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = team_access(user, participant)
    if access == Access.NONE:
        raise Http404
    if write and access < Access.WRITE:
        record(
            "messaging.team_write_denied",
            acting_user=user,
            participant=participant,
            outcome="denied",
        )
        raise PermissionDenied
    if read is None:
        read = not write
    if read:
        record_read("messaging.team_viewed", acting_user=user, participant=participant)
    return Granted(participant, access)


def get_team_for_poll(user: User, code: uuid.UUID | str) -> Participant:
    """The team page's polled fragment: the same gate, recording no read itself (the caller
    records one per page view when it shows new posts, `record_poll_read`)."""
    participant, _ = get_team_for_user(user, code, read=False)
    return participant


def record_poll_read(user: User, participant: Participant, page_view: str) -> None:
    record_read_once(
        "messaging.team_viewed",
        page_view=page_view,
        subject=str(participant.code),
        acting_user=user,
        participant=participant,
    )


def get_task_for_user(user: User, code: uuid.UUID | str) -> TeamTask:
    """A task to change: its owner (whoever they are), or anyone who may write its
    participant's team page. Others 404; a discharged chart's task 403 (to the team)."""
    try:
        task = TeamTask.objects.select_related("participant__program", "owner").get(code=code)
    except (TeamTask.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        raise Http404
    if task.owner_id == user.pk and task.participant.discharged_at is None:
        return task
    get_team_for_user(user, task.participant.code, write=True)
    return task


def may_own_task(user: User, participant: Participant) -> bool:
    """A task's owner is on the participant's care team or works in their program."""
    if not user.is_active or not user.is_staff_member:
        return False
    return CareTeamMember.objects.filter(
        participant=participant, clinician=user
    ).exists() or programs.works_in(user, participant.program_id)


def possible_owners(participant: Participant) -> QuerySet[User]:
    """Who a task may be given to, for the form's choices (one query)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(care_team_roles__participant=participant)
            | Q(program_memberships__program_id=participant.program_id)
        )
        .filter(role__in=OWNER_ROLES)
        .distinct()
        .order_by("family_name", "given_name", "pk")
    )


def mentionable(participant: Participant) -> QuerySet[User]:
    """Who an @mention may reach: the people who see the thread (the care team and the
    program's directors), so a mention never tells anyone else about the participant."""
    directors = ProgramMembership.objects.filter(
        program=participant.program, role=ProgramMembership.Role.DIRECTOR
    ).values("user_id")
    return User.objects.filter(is_active=True, role__in=TEAM_ROLES).filter(
        Q(pk__in=CareTeamMember.objects.filter(participant=participant).values("clinician_id"))
        | Q(pk__in=directors, role=User.Role.PROGRAM_DIRECTOR)
    )


# The weekly case review ------------------------------------------------------------------------


def review_programs(user: User) -> QuerySet[Program]:
    """Programs whose case review the user joins: directors, and clinicians who work there."""
    if not _staff(user):
        return Program.objects.none()
    if user.role == User.Role.PROGRAM_DIRECTOR:
        ids = programs.directed_program_ids(user)
    else:
        ids = programs.member_program_ids(user)
    return Program.objects.filter(pk__in=ids).order_by("name")


def get_program_for_review(user: User, code: uuid.UUID | str, *, read: bool = False) -> Program:
    """A program whose review the user joins. `read` records one `messaging.case_review_viewed`
    (the page shows flagged participants and decisions)."""
    try:
        program = review_programs(user).get(code=code)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if read:
        record_read("messaging.case_review_viewed", acting_user=user, target=program)
    return program
