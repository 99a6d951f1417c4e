"""The gate to programs' schedules, groups and sessions (see docs/permissions.md).

Outsiders get 404; people who may look but not change get 403 on writes.
- Directors of the program manage everything in it.
- Intake coordinators of the program see the week grid and rosters and admit participants.
- Facilitators see their group's roster and sessions and record attendance.
- Participants see only their own week (queries.participant_bookings), never rosters.

Who directs, works in or facilitates is asked of openiop.programs.access, which counts a
facilitator's chair only for someone who may hold it. Rosters and session pages show
participants' names, so their reads are recorded here (`read=True` is the default).
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.programs import access as programs
from openiop.programs.eligibility import CLINICAL_ROLES
from openiop.programs.models import Group, Program, ProgramMembership
from openiop.scheduling.models import CalendarFeed, Enrollment, Session

is_director = programs.is_director
facilitates = programs.facilitates


def can_admit(user: User, program_id: int) -> bool:
    if is_director(user, program_id):
        return True
    return user.role == User.Role.INTAKE_COORDINATOR and programs.works_in(user, program_id)


def facilitated_participant_ids(user: User) -> QuerySet[Any]:
    """Participants seated in a group the user may and does facilitate; registered with the
    chart gate (openiop.participants.access) by SchedulingConfig.ready."""
    return Enrollment.objects.filter(
        status=Enrollment.Status.SEATED, group_id__in=programs.facilitated_group_ids(user)
    ).values("participant_id")


def _lookup(model: Any, code: uuid.UUID | str, **related: Any) -> Any:
    try:
        return model.objects.select_related(*related.get("related", ())).get(code=code)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_program_for_user(user: User, code: uuid.UUID | str) -> Granted[Program]:
    """Directors and intake coordinators of the program see its week; directors change it."""
    program: Program = _lookup(Program, code)
    if not can_admit(user, program.pk):
        raise Http404
    return Granted(program, Access.WRITE if is_director(user, program.pk) else Access.READ)


def get_program_for_director(user: User, code: uuid.UUID | str) -> Program:
    program, access = get_program_for_user(user, code)
    if access < Access.WRITE:
        raise PermissionDenied
    return program


def programs_for_user(user: User) -> Any:
    """Programs whose week grid the user may open (mirrors get_program_for_user)."""
    if user.role == User.Role.PROGRAM_DIRECTOR:
        ids = programs.directed_program_ids(user)
    elif user.role == User.Role.INTAKE_COORDINATOR:
        ids = programs.member_program_ids(user)
    else:
        return Program.objects.none()
    return Program.objects.filter(pk__in=ids).order_by("name")


def facilitated_groups(user: User) -> Any:
    return (
        programs.facilitated_groups(user)
        .filter(is_active=True)
        .select_related("track")
        .order_by("track__name", "name")
    )


def get_group_for_user(
    user: User, code: uuid.UUID | str, *, manage: bool = False, read: bool = False
) -> Granted[Group]:
    """Facilitators, directors and intake coordinators see a group; `manage` asks for
    admitting and discharging (directors and intake coordinators of the program), which is
    what WRITE access means here. `read=True` records the roster read."""
    group: Group = _lookup(Group, code, related=("track__program",))
    if can_admit(user, group.track.program_id):
        access = Access.WRITE
    elif facilitates(user, group):
        access = Access.READ
    else:
        raise Http404
    if manage and access < Access.WRITE:
        raise PermissionDenied
    if read:
        record_read("scheduling.roster_viewed", acting_user=user, target=group)
    return Granted(group, access)


def get_group_for_director(user: User, code: uuid.UUID | str) -> Group:
    """Seats and extra sessions are for the program's directors; others who manage get 403."""
    group, _ = get_group_for_user(user, code, manage=True)
    if not is_director(user, group.track.program_id):
        raise PermissionDenied
    return group


def _appointment_clinician(user: User, session: Session) -> bool:
    """An appointment's own clinician, if a clinician (a seat given to anyone else is void)."""
    return session.clinician_id == user.pk and user.is_active and user.role in CLINICAL_ROLES


def can_record_attendance(user: User, session: Session) -> bool:
    if is_director(user, session.program_id):
        return True
    if session.group is not None:
        return facilitates(user, session.group)
    return _appointment_clinician(user, session)


def can_cancel(user: User, session: Session) -> bool:
    return is_director(user, session.program_id) or _appointment_clinician(user, session)


def get_session_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    cancel: bool = False,
    attend: bool = False,
    read: bool = False,
) -> Granted[Session]:
    """Group sessions follow their group; appointments are seen by their clinician and the
    program's directors. Cancelling is for directors (and an appointment's clinician);
    recording attendance for directors and the group's facilitators: WRITE access means
    the user may record attendance. `read=True` records the session page's read."""
    session: Session = _lookup(Session, code, related=("group", "clinician", "program"))
    if session.group is not None:
        get_group_for_user(user, session.group.code)
    elif not (_appointment_clinician(user, session) or is_director(user, session.program_id)):
        raise Http404
    if cancel and not can_cancel(user, session):
        raise PermissionDenied
    may_record = can_record_attendance(user, session)
    if attend and not may_record:
        raise PermissionDenied
    if read:
        record_read("scheduling.session_viewed", acting_user=user, target=session)
    return Granted(session, Access.WRITE if may_record else Access.READ)


def get_enrollment_for_user(user: User, code: uuid.UUID | str) -> Enrollment:
    enrollment: Enrollment = _lookup(
        Enrollment, code, related=("group__track__program", "participant")
    )
    get_group_for_user(user, enrollment.group.code, manage=True)
    return enrollment


def clinicians_for_appointments(program: Program) -> QuerySet[User]:
    """Who may be booked as an appointment's clinician: the program's active clinicians and
    directors."""
    return User.objects.filter(
        is_active=True,
        role__in=CLINICAL_ROLES,
        pk__in=ProgramMembership.objects.filter(program=program).values("user_id"),
    ).order_by("family_name", "given_name")


def get_calendar_feed(token_hash: str) -> CalendarFeed:
    """A live feed by its token's hash (the token is the feed's only credential); each fetch
    is recorded as a read of its owner's schedule."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404
    record_read("scheduling.calendar_feed_read", acting_user=feed.user, target=feed)
    return feed
