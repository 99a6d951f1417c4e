from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.eligibility import Seat, may_hold, why_not
from openiop.programs.models import Program


class StaleEdit(Exception):
    """The chart changed since the editor loaded it."""


@transaction.atomic
def create_participant(*, program: Program, fields: dict, acting_user: User) -> Participant:
    participant = Participant.objects.create(program=program, **fields)
    record(
        "participant.created",
        acting_user=acting_user,
        participant=participant,
        target=participant,
        details={"program": str(program.code)},
    )
    return participant


@transaction.atomic
def update_participant(
    participant: Participant, *, fields: dict, expected_version: int, acting_user: User
) -> Participant:
    """Save the chart header if nobody saved it since `expected_version` was read."""
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    if current.version != expected_version:
        raise StaleEdit
    changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
    for name, value in fields.items():
        setattr(current, name, value)
    current.version = F("version") + 1
    current.save()
    current.refresh_from_db()
    record(
        "participant.updated",
        acting_user=acting_user,
        participant=current,
        target=current,
        details={"fields": changed},
    )
    return current


@transaction.atomic
def add_care_team_member(
    participant: Participant, *, clinician: User, role: str, can_write: bool, acting_user: User
) -> CareTeamMember:
    if not may_hold(clinician, Seat.CARE_TEAM, participant.program):
        raise ValidationError(why_not(clinician, Seat.CARE_TEAM, participant.program))
    # A double-submitted form (or two directors at once) adds the member once.
    member, created = CareTeamMember.objects.get_or_create(
        participant=participant,
        clinician=clinician,
        defaults={"role": role, "can_write": can_write},
    )
    if not created:
        return member
    record(
        "care_team.member_added",
        acting_user=acting_user,
        participant=participant,
        target=member,
        details={"clinician": str(clinician.code), "role": role, "can_write": can_write},
    )
    return member


@transaction.atomic
def remove_care_team_member(member: CareTeamMember, *, acting_user: User) -> None:
    record(
        "care_team.member_removed",
        acting_user=acting_user,
        participant=member.participant,
        target=member,
        details={"clinician": str(member.clinician.code), "role": member.role},
    )
    member.delete()
