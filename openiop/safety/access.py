"""Who sees and who closes safety alerts.

An alert goes to the participant's care team and to the on-call clinicians of the
participant's program. When nobody could act on it (no care-team member with write access and
no one on call for the program, e.g. a person just referred), it goes to the program's
directors instead, so no alert goes unseen. Anyone else gets a 404. Acknowledging takes a
clinician or director among those recipients, other than read-only team members (e.g. a peer
specialist), who see the alert but get a 403 on acknowledging it.

Care-team places and the on-call rota count only for people who may hold them
(openiop.programs.access): an administrator or a participant account added to either sees no
alert, and does not stop the directors from receiving one.
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat, seat_programs
from openiop.programs.models import Program, ProgramMembership
from openiop.safety.models import SafetyAlert

ACKNOWLEDGING_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)


def _unattended(participant_ref: str, program_ref: str) -> Q:
    """Nobody on the care team may write and nobody is on call for the program (counting only
    people who may hold those seats)."""
    writers = CareTeamMember.objects.filter(
        programs.eligible_holders(Seat.CARE_TEAM, "clinician", "participant__program"),
        participant=OuterRef(participant_ref),
        can_write=True,
    )
    on_call = ProgramMembership.objects.filter(
        programs.eligible_holders(Seat.ON_CALL, "user", "program"),
        program=OuterRef(program_ref),
        role=ProgramMembership.Role.ON_CALL,
    )
    return ~Exists(writers) & ~Exists(on_call)


def _care_team_seat(user: User, participant_ref: Any) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(participant=participant_ref, clinician=user).filter(
        seat_programs(user, Seat.CARE_TEAM, "participant__program")
    )


def alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    """Every alert the user receives, as one query."""
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        return SafetyAlert.objects.none()
    on_team = _care_team_seat(user, OuterRef("participant"))
    return SafetyAlert.objects.filter(
        Exists(on_team)
        | Q(participant__program_id__in=programs.on_call_program_ids(user))
        | (
            Q(participant__program_id__in=programs.directed_program_ids(user))
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
    if _care_team_seat(user, participant).filter(can_write=True).exists():
        return True
    if participant.program_id is None:
        return False
    if programs.is_on_call(user, participant.program_id):
        return True
    return (
        programs.is_director(user, participant.program_id)
        and Participant.objects.filter(pk=participant.pk)
        .filter(_unattended("pk", "program"))
        .exists()
    )


def get_alert_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, read: bool | None = None
) -> Granted[SafetyAlert]:
    """An alert the user receives; WRITE access means they may acknowledge it. `read`
    (default: not `write`) records the alert page's read."""
    try:
        alert = alerts_for_user(user).select_related("participant").get(code=code)
    except (SafetyAlert.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    access = Access.WRITE if can_acknowledge(user, alert.participant) else Access.READ
    if write and access < Access.WRITE:
        raise PermissionDenied
    if read is None:
        read = not write
    if read:
        record_read(
            "safety.alert_viewed", acting_user=user, participant=alert.participant, target=alert
        )
    return Granted(alert, access)


# The program safety board (issue 10, item 9) ---------------------------------------------------


def boards_for_user(user: User) -> QuerySet[Program]:
    """Programs whose safety board the user may open: those they direct (one query)."""
    return Program.objects.filter(pk__in=programs.directed_program_ids(user)).order_by("name")


def get_board_for_user(user: User, code: uuid.UUID | str) -> Granted[Program]:
    """A program's safety board, for its directors only (404 for everyone else). The board
    names participants with open alerts and missing safety plans, so each view records one
    `safety.board_viewed` read, with the program as target and no participant."""
    try:
        program = Program.objects.get(code=code)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not programs.is_director(user, program.pk):
        raise Http404
    record_read("safety.board_viewed", acting_user=user, target=program)
    return Granted(program, Access.READ)
