from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants.models import CareTeamMember, Participant
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
    changed = sorted(name for name, value in fields.items() if getattr(participant, name) != value)
    updated = Participant.objects.filter(pk=participant.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleEdit
    participant.refresh_from_db()
    record(
        "participant.updated",
        acting_user=acting_user,
        participant=participant,
        target=participant,
        details={"fields": changed},
    )
    return participant


@transaction.atomic
def add_care_team_member(
    participant: Participant, *, clinician: User, role: str, can_write: bool, acting_user: User
) -> CareTeamMember:
    member = CareTeamMember.objects.create(
        participant=participant, clinician=clinician, role=role, can_write=can_write
    )
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
