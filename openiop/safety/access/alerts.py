"""Who sees and who closes safety alerts.

An alert goes to (is *received* by) the participant's care team, the on-call clinicians of the
participant's program, the person who owns it (openiop.safety.ladder) and everyone the ladder
notified about it. When nobody could act on it (no active, eligible care-team member with
write access and no one eligible on call for the program, e.g. a person just referred or one
whose only clinician was deactivated), it goes to the program's directors as well, so no alert
goes unseen. Received alerts are the ones on the banner and the worklist.

Directors of the participant's program may also open (read) every alert of their program
without receiving it: the ladder climbs to them, and the safety board lists them. Anyone else
gets a 404. Acknowledging takes a clinician or director among those people, other than
read-only team members (e.g. a peer specialist), who see the alert but get a 403 on
acknowledging it. A program director may acknowledge any alert of her program (CLINICAL.md:
the ladder climbs owner → on-call → director → backup, and each step must be able to close it).

Care-team places and the on-call rota count only for people who may hold them
(openiop.programs.access): an administrator, a participant account or a deactivated clinician
added to either sees no alert, and does not stop the directors from receiving one.

While an alert is open, the alert page also shows what its recipients need to act (the
emergency panel, openiop.safety.panels.emergency): that view is recorded as its own read event,
`safety.emergency_details_viewed`, and on the alert's timeline.
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
from openiop.safety import timeline
from openiop.safety.models import AlertEvent, EscalationNotice, SafetyAlert

ACKNOWLEDGING_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)

ALERT_VIEWED = "safety.alert_viewed"
EMERGENCY_DETAILS_VIEWED = "safety.emergency_details_viewed"


def _unattended(participant_ref: str, program_ref: str) -> Q:
    """Nobody on the care team may write and nobody is on call for the program, counting only
    active people who may hold those seats (`eligible_holders` checks `is_active`, the role
    and the discipline): a deactivated clinician leaves the alert to the directors."""
    writers = CareTeamMember.objects.filter(
        programs.eligible_holders(Seat.CARE_TEAM, "clinician", "participant__program"),
        participant=OuterRef(participant_ref),
        can_write=True,
        clinician__is_active=True,
    )
    on_call = ProgramMembership.objects.filter(
        programs.eligible_holders(Seat.ON_CALL, "user", "program"),
        program=OuterRef(program_ref),
        role=ProgramMembership.Role.ON_CALL,
        user__is_active=True,
    )
    return ~Exists(writers) & ~Exists(on_call)


def _care_team_seat(user: User, participant_ref: Any) -> QuerySet[CareTeamMember]:
    return CareTeamMember.objects.filter(participant=participant_ref, clinician=user).filter(
        seat_programs(user, Seat.CARE_TEAM, "participant__program")
    )


def _is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff_member)


def _ladder_holder(user: User) -> Q:
    """The alert's owner, or someone the ladder sent a notice about it."""
    notified = EscalationNotice.objects.filter(alert=OuterRef("pk"), recipient=user)
    return Q(owner=user) | Q(Exists(notified))


def _received(user: User) -> Q:
    on_team = _care_team_seat(user, OuterRef("participant"))
    return (
        Exists(on_team)
        | Q(participant__program_id__in=programs.on_call_program_ids(user))
        | (
            Q(participant__program_id__in=programs.directed_program_ids(user))
            & _unattended("participant", "participant__program")
        )
        | _ladder_holder(user)
    )


def alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    """Every alert the user may open: those they receive, and every alert of a program they
    direct. One query."""
    if not _is_staff(user):
        return SafetyAlert.objects.none()
    return SafetyAlert.objects.filter(
        _received(user) | Q(participant__program_id__in=programs.directed_program_ids(user))
    )


def received_alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    """The alerts the user is asked to act on (banner, worklist). One query."""
    if not _is_staff(user):
        return SafetyAlert.objects.none()
    return SafetyAlert.objects.filter(_received(user))


def _open_sorted(alerts: QuerySet[SafetyAlert]) -> QuerySet[SafetyAlert]:
    """Open alerts, most urgent first, then oldest first within an acuity."""
    return (
        alerts.filter(status=SafetyAlert.Status.OPEN)
        .select_related("participant")
        .order_by("-acuity", "opened_at", "id")
    )


def open_alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    """Open alerts the user receives, by acuity then age (the banner and the worklist)."""
    return _open_sorted(received_alerts_for_user(user))


def visible_open_alerts_for_user(user: User) -> QuerySet[SafetyAlert]:
    """Open alerts the user may open, by acuity then age (the alerts page)."""
    return _open_sorted(alerts_for_user(user))


def can_acknowledge(user: User, participant: Participant, alert: SafetyAlert | None = None) -> bool:
    if not _is_staff(user) or user.role not in ACKNOWLEDGING_ROLES:
        return False
    if _care_team_seat(user, participant).filter(can_write=True).exists():
        return True
    if alert is not None and (
        SafetyAlert.objects.filter(pk=alert.pk).filter(_ladder_holder(user)).exists()
    ):
        return True
    if participant.program_id is None:
        return False
    return programs.is_on_call(user, participant.program_id) or programs.is_director(
        user, participant.program_id
    )


def concern_rule(user: User) -> str:
    """The acuity rule of a concern raised by `user` (openiop.safety.acuity.RULES): a licensed
    clinician's or a clinical director's is "clinician_concern"; a peer specialist's or any
    other staff member's (e.g. an intake coordinator) is "peer_concern"."""
    clinician = (
        user.role in ACKNOWLEDGING_ROLES
        and bool(user.discipline)
        and user.discipline != User.Discipline.PEER_SPECIALIST
    )
    return "clinician_concern" if clinician else "peer_concern"


def shows_emergency_details(alert: SafetyAlert) -> bool:
    """The emergency panel is shown for the life of the alert, to everyone who may open it."""
    return alert.is_open


def get_alert_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    page: bool = False,
) -> Granted[SafetyAlert]:
    """An alert the user may open; WRITE access means they may acknowledge it.

    `read` (default: not `write`) records the read. `page` says the alert page itself is
    being shown: while the alert is open that page carries the emergency details, so its read
    is recorded as `safety.emergency_details_viewed` (one read event either way) and the
    view goes on the alert's timeline."""
    try:
        alert = alerts_for_user(user).select_related("participant").get(code=code)
    except (SafetyAlert.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    access = Access.WRITE if can_acknowledge(user, alert.participant, alert) else Access.READ
    if write and access < Access.WRITE:
        raise PermissionDenied
    if read is None:
        read = not write
    if read:
        emergency = page and shows_emergency_details(alert)
        record_read(
            EMERGENCY_DETAILS_VIEWED if emergency else ALERT_VIEWED,
            acting_user=user,
            participant=alert.participant,
            target=alert,
        )
        if emergency:
            timeline.log(alert, AlertEvent.Kind.EMERGENCY_ACCESS, actor=user)
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
