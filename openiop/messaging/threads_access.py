"""The gate to participant ↔ care team threads (docs/messaging.md).

Who may do what with a thread:
- the participant it belongs to reads it and writes in it;
- the participant's care team (their CareTeamMember rows, where the clinician may hold a
  care-team seat) reads it and replies, read-only chart seats included: answering a message is
  not changing the chart;
- directors of the participant's program read it (403 on a write), unless they sit on the team;
- while the participant has an open crisis-language alert, everyone who may open that alert
  (the on-call clinicians and whoever the ladder reached, openiop.safety.access) reads it: the
  alert links to the words instead of copying them, so whoever handles it must reach them;
- everyone else gets 404, as for a thread that does not exist.

Every page that shows a thread's messages records one `messaging.thread_viewed` read, whoever
opens it (the poll that brings new messages records one per page view). A closed thread
(discharged participant, locked thread) is still read here; the actions refuse the write with
a message that says why.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read, record_read_once
from openiop.lib.access import Access, Granted
from openiop.messaging.models import Message, Thread
from openiop.participants.access import own_chart
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat, seat_programs
from openiop.programs.models import Program
from openiop.safety.access.alerts import alerts_for_user
from openiop.safety.models import SafetyAlert

READ_EVENT = "messaging.thread_viewed"


def _team_seats(user: User) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(clinician=user).filter(
        seat_programs(user, Seat.CARE_TEAM, "participant__program")
    )


def participant_access(user: User, participant: Participant) -> Access:
    """The user's access to the threads of `participant`."""
    if not user.is_authenticated or not user.is_active:
        return Access.NONE
    if user.is_participant:
        return Access.WRITE if participant.user_id == user.pk else Access.NONE
    if not user.is_staff_member:
        return Access.NONE
    if _team_seats(user).filter(participant=participant).exists():
        return Access.WRITE
    if programs.is_director(user, participant.program_id):
        return Access.READ
    if (
        alerts_for_user(user)
        .filter(
            participant=participant,
            kind=SafetyAlert.Kind.CRISIS_LANGUAGE,
            status=SafetyAlert.Status.OPEN,
        )
        .exists()
    ):
        return Access.READ
    return Access.NONE


def _thread(code: uuid.UUID | str) -> Thread:
    try:
        return Thread.objects.select_related("participant__program", "participant__user").get(
            code=code
        )
    except (Thread.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def check_thread_access(user: User, thread: Thread, *, write: bool = False) -> Access:
    access = participant_access(user, thread.participant)
    if access == Access.NONE:
        raise Http404
    if write and access < Access.WRITE:
        raise PermissionDenied
    return access


def get_thread_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    page_view: str | None = None,
) -> Granted[Thread]:
    """The thread behind `code` with the user's access to it. `read` (default: not `write`)
    records the read; `page_view` makes it one read per page view (the poll)."""
    thread = _thread(code)
    access = check_thread_access(user, thread, write=write)
    if read is None:
        read = not write
    if read:
        if page_view is not None:
            record_read_once(
                READ_EVENT,
                page_view=page_view,
                subject=str(thread.code),
                acting_user=user,
                participant=thread.participant,
                target=thread,
            )
        else:
            record_read(READ_EVENT, acting_user=user, participant=thread.participant, target=thread)
    return Granted(thread, access)


def get_own_chart(user: User) -> Participant:
    """The participant's own chart, for their message list and a new thread (404 for staff)."""
    return own_chart(user)


def own_threads(participant: Participant) -> QuerySet[Thread]:
    return Thread.objects.filter(participant=participant)


def staff_only(user: User) -> None:
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        raise Http404


def inbox_threads(user: User) -> QuerySet[Thread]:
    """Threads of the participants whose team the user is on, and of programs they direct."""
    staff_only(user)
    on_team = Exists(_team_seats(user).filter(participant_id=OuterRef("participant_id")))
    return Thread.objects.filter(
        on_team | Q(participant__program_id__in=programs.directed_program_ids(user))
    )


def get_attachment_for_user(user: User, code: uuid.UUID | str) -> Message:
    """A message's attachment to download: whoever may read the thread; staff downloads are
    recorded as the chart's `documents.document_downloaded`."""
    try:
        message = Message.objects.select_related("attachment", "thread__participant__program").get(
            code=code, attachment__isnull=False, attachment__removed_at__isnull=True
        )
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    check_thread_access(user, message.thread)
    document = message.attachment
    assert document is not None
    record_read(
        "documents.document_downloaded",
        acting_user=user,
        participant=message.thread.participant,
        target=document,
        details={"kind": document.kind, "bytes": document.size},
    )
    return message


def get_program_settings_for_user(user: User, code: uuid.UUID | str) -> Program:
    """A program's messaging settings: its directors only, everyone else 404."""
    return programs.get_program_to_set_up(user, code)


def programs_with_settings(user: User) -> QuerySet[Program]:
    return programs.programs_to_set_up(user)
