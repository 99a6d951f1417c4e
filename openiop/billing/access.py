"""The gate to billing rows (docs/billing.md, docs/permissions.md).

- A participant's coverage and authorizations belong to their chart: staff who may read the
  chart see them (participants.access decides; outsiders 404). Adding, editing or ending them
  needs write access to the chart and the director's or intake coordinator's role (they verify
  insurance at intake); a clinician who may write the chart gets 403, on the coverage edit
  page as on the forms of the coverage page.
- Payers, plans, the billing profile, charges and 837 batches are the program's: its
  directors only. Everyone else gets 404, as for a program that does not exist.
- The utilization review packet is a disclosure to a payer, not a chart read: those who may
  change coverage (directors, intake coordinators) and the participant's care-team clinicians
  who may write the chart, peer specialists excepted. Other staff who may see the chart
  (read-only seats, group facilitators, emergency access) get 403; outsiders 404. It then
  passes the Part 2 gate (ur_packet.py).

Reads: the coverage page and a coverage's edit page record `billing.coverage_viewed` for the
chart; the charges list `billing.charges_viewed` and its CSV `billing.charges_exported` for the
program.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.reads import record_read
from openiop.billing.models import ClaimBatch, Coverage, Payer
from openiop.lib.access import Access, Granted
from openiop.participants.access import get_participant_for_user, participant_access
from openiop.participants.models import Participant
from openiop.programs import access as programs
from openiop.programs.models import Program

COVERAGE_WRITERS = (User.Role.PROGRAM_DIRECTOR, User.Role.INTAKE_COORDINATOR)


def can_change_coverage(user: User, access: Access) -> bool:
    return access == Access.WRITE and user.role in COVERAGE_WRITERS


def can_export_ur_packet(user: User, access: Access) -> bool:
    """Whether a user with `access` to a chart may download its utilization review packet.

    A clinician has write access only through a writable care-team seat, so this is "the
    care team's clinicians"; peer specialists support recovery and do not speak to payers."""
    if access != Access.WRITE:
        return False
    if user.role in COVERAGE_WRITERS:
        return True
    return user.role == User.Role.CLINICIAN and user.discipline != User.Discipline.PEER_SPECIALIST


def get_chart_for_ur_packet(user: User, code: uuid.UUID | str) -> Participant:
    """The chart whose packet is asked for: 404 for outsiders and participants, 403 (audited
    `billing.ur_packet_denied`) for staff who may see the chart but not send it to a payer.
    A discharged chart keeps its packet (a retrospective review), for the same people."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    participant, access = get_participant_for_user(user, code, read=False, allow_discharged=True)
    if not can_export_ur_packet(user, access):
        record(
            "billing.ur_packet_denied",
            acting_user=user,
            participant=participant,
            outcome="denied",
        )
        raise PermissionDenied
    return participant


def ur_packet_allowed(user: User, participant: Participant) -> bool:
    """For the link on the coverage page (the chart already passed the gate)."""
    return can_export_ur_packet(user, participant_access(user, participant, allow_discharged=True))


def get_chart(user: User, code: uuid.UUID | str, *, write: bool = False) -> Granted[Participant]:
    """The chart whose coverage is asked about; staff only (participants 404)."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    participant, access = get_participant_for_user(user, code, write=write, read=False)
    if write and user.role not in COVERAGE_WRITERS:
        record(
            "participant.write_denied",
            acting_user=user,
            participant=participant,
            outcome="denied",
        )
        raise PermissionDenied
    if not write:
        record_read("billing.coverage_viewed", acting_user=user, participant=participant)
    return Granted(participant, access)


def get_coverage_to_change(
    user: User, code: uuid.UUID | str, coverage_code: uuid.UUID | str, *, reading: bool
) -> tuple[Participant, Coverage]:
    """A coverage for its edit page: the same gate as adding one (write access to the chart
    and a coverage writer's role, 403 otherwise; outsiders 404), and a coverage of this
    chart (404 for another chart's). `reading` (the page shown) records the read."""
    participant, _ = get_chart(user, code, write=True)
    try:
        coverage = Coverage.objects.select_related("plan__payer").get(
            participant=participant, code=coverage_code
        )
    except (Coverage.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if reading:
        record_read("billing.coverage_viewed", acting_user=user, participant=participant)
    return participant, coverage


def billing_programs(user: User) -> QuerySet[Program]:
    if not user.is_authenticated or user.role != User.Role.PROGRAM_DIRECTOR:
        return Program.objects.none()
    return Program.objects.filter(pk__in=programs.directed_program_ids(user)).order_by("name")


def get_program(user: User, code: uuid.UUID | str) -> Program:
    try:
        return billing_programs(user).get(code=code)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_payer(user: User, program: Program, code: str) -> Payer:
    try:
        return Payer.objects.get(program=program, code=code)
    except (Payer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_batch(user: User, code: uuid.UUID | str) -> ClaimBatch:
    try:
        return ClaimBatch.objects.select_related("program", "payer").get(
            code=code, program__in=billing_programs(user)
        )
    except (ClaimBatch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def record_charges_read(user: User, program: Program, *, export: bool = False) -> None:
    record_read(
        "billing.charges_exported" if export else "billing.charges_viewed",
        acting_user=user,
        target=program,
        details={"program": str(program.code)},
    )
