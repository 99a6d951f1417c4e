"""The gate to access requests: program directors and intake coordinators of the participant's
program handle them; other staff who can see the chart get 403; anyone else (participants
included: these are staff pages) 404."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.consent.models import AccessRequest
from openiop.lib.access import Access
from openiop.participants.access import get_participant_for_user, participant_access
from openiop.participants.models import Participant
from openiop.programs.access import directed_program_ids, member_program_ids


def managed_program_ids(user: User) -> QuerySet | None:
    """Programs whose access requests `user` handles, or None when they handle none."""
    if user.role == User.Role.PROGRAM_DIRECTOR:
        return directed_program_ids(user)
    if user.role == User.Role.INTAKE_COORDINATOR:
        return member_program_ids(user)
    return None


def handles(user: User, participant: Participant) -> bool:
    programs = managed_program_ids(user)
    return programs is not None and programs.filter(program_id=participant.program_id).exists()


def requests_for_user(user: User) -> QuerySet[AccessRequest]:
    """Every request of the programs the user handles (the program-wide list); 404 for
    someone who handles none."""
    programs = managed_program_ids(user)
    if programs is None or not programs.exists():
        raise Http404
    return AccessRequest.objects.filter(participant__program_id__in=programs)


def get_participant_for_new_request(user: User, code: uuid.UUID | str) -> Participant:
    """A chart the user may log a request against: outsiders 404, other chart readers 403."""
    if not user.is_staff_member:
        raise Http404
    participant, _ = get_participant_for_user(user, code, read=False)
    if not handles(user, participant):
        raise PermissionDenied
    return participant


def get_request_for_user(user: User, code: uuid.UUID | str, *, read: bool = False) -> AccessRequest:
    """The request behind `code` if the user handles it. `read`: the page shows it, so one
    `consent.access_request_viewed` read is recorded."""
    if not user.is_staff_member:
        raise Http404
    try:
        request = AccessRequest.objects.select_related(
            "participant__program", "handled_by", "created_by", "disclosure"
        ).get(code=code)
    except (AccessRequest.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if not handles(user, request.participant):
        if participant_access(user, request.participant) != Access.NONE:
            raise PermissionDenied
        raise Http404
    if read:
        record_read(
            "consent.access_request_viewed",
            acting_user=user,
            participant=request.participant,
            target=request,
        )
    return request


def open_first(requests: QuerySet[AccessRequest]) -> QuerySet[AccessRequest]:
    """Open requests by deadline, soonest (or most overdue) first."""
    return requests.filter(status__in=AccessRequest.OPEN).order_by(
        Coalesce("extended_to", "due_on").asc(), "received_on", "id"
    )
