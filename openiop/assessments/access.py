"""Gates to assignments and responses. Every check goes through the participant gate
(openiop.participants.access), so an outsider gets the same 404 as for the chart."""

import uuid

from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.participants.access import check_access, get_participant_for_user
from openiop.participants.models import Participant


def open_assignments_for_participant_user(user: User) -> QuerySet[Assignment]:
    """A participant's own open questionnaires."""
    if not user.is_authenticated or user.role != User.Role.PARTICIPANT:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(participant__user=user, status=Assignment.Status.OPEN)
        .select_related("instrument")
        .order_by("assigned_at", "id")
    )


def get_assignment_to_answer(
    user: User, code: uuid.UUID | str, *, read: bool = False
) -> Granted[Assignment]:
    """The assignment, if `user` may answer it: the participant it is assigned to (self-report)
    or a member of staff with write access (administering it in session). `read=True` (the
    form on GET, which shows the answers so far) records the read."""
    try:
        assignment = Assignment.objects.select_related("participant", "instrument").get(code=code)
    except (Assignment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if user.is_authenticated and user.role == User.Role.PARTICIPANT:
        if assignment.participant.user_id != user.pk:
            raise Http404
    else:
        check_access(user, assignment.participant, write=True, read=False)
    if read:
        record_read(
            "assessment.form_opened",
            acting_user=user,
            participant=assignment.participant,
            target=assignment,
        )
    return Granted(assignment, Access.WRITE)


def get_response_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    export: str = "",
) -> Granted[Response]:
    """A response for staff who may read the participant's chart.

    `read` (default: not `write`) records one read: `assessment.response_viewed`, or
    `assessment.exported` with the format when `export` names one (a download is a read too,
    so it is the only event).
    """
    try:
        response = Response.objects.select_related(
            "participant", "instrument", "assignment", "submitted_by"
        ).get(code=code)
    except (Response.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    access = check_access(user, response.participant, write=write, read=False)
    if read is None:
        read = not write
    if read:
        record_read(
            "assessment.exported" if export else "assessment.response_viewed",
            acting_user=user,
            participant=response.participant,
            target=response,
            details={"format": export} if export else None,
        )
    return Granted(response, access)


def get_own_submitted_response(user: User, code: uuid.UUID | str) -> Response:
    """The participant's own submitted response (the page shown after submitting)."""
    try:
        return Response.objects.select_related("instrument").get(
            code=code, participant__user=user, status=Response.Status.SUBMITTED
        )
    except (Response.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def get_staff_participant(
    user: User, code: uuid.UUID | str, *, write: bool = False
) -> Granted[Participant]:
    """The chart, for staff pages about a participant's assessments (reads are recorded as
    chart reads)."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    return get_participant_for_user(user, code, write=write)


def assignable_instruments() -> QuerySet[InstrumentDefinition]:
    return InstrumentDefinition.objects.filter(is_active=True).order_by("title")
