from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.participants import tasks
from openiop.participants.access import live_grant, possible_duplicates
from openiop.participants.matching import Answer, Match, Person
from openiop.participants.models import (
    BreakGlassGrant,
    CareTeamMember,
    DuplicateDecision,
    Participant,
)
from openiop.programs.eligibility import Seat, may_hold, why_not
from openiop.programs.models import Program


class StaleEdit(Exception):
    """The chart changed since the editor loaded it."""


class PossibleDuplicates(Exception):
    """The details match existing charts and nobody has said yet whether it is the same
    person: nothing was saved. `matches` are for the prompt (only visible ones are described)."""

    def __init__(self, matches: list[Match]) -> None:
        super().__init__("possible duplicate")
        self.matches = matches


def resolve_duplicates(matches: list[Match], answer: Answer | None) -> Participant | None:
    """The chart to use when the answer settles the matches: the existing chart for "the same
    person", None (make a new chart) for "a different person" with a reason. Raises
    PossibleDuplicates when there is no answer, or it does not cover every match."""
    if not matches:
        return None
    if answer is not None and answer.decision == DuplicateDecision.Decision.SAME_PERSON:
        for match in matches:
            if match.visible and str(match.participant.code) == answer.same_as:
                return match.participant
    if (
        answer is not None
        and answer.decision == DuplicateDecision.Decision.DIFFERENT_PERSON
        and answer.reason in DuplicateDecision.Reason.values
        and answer.covers(matches)
    ):
        return None
    raise PossibleDuplicates(matches)


@transaction.atomic
def record_duplicate_decisions(
    matches: list[Match],
    *,
    answer: Answer | None,
    context: str,
    chart: Participant,
    acting_user: User,
) -> list[DuplicateDecision]:
    """One DuplicateDecision (and audit event) per chart compared: for "the same person" the
    chart linked, for "a different person" every match."""
    if not matches or answer is None:
        return []
    same = answer.decision == DuplicateDecision.Decision.SAME_PERSON
    compared = [m for m in matches if m.participant.pk == chart.pk] if same else matches
    rows = []
    now = timezone.now()
    for match in compared:
        row = DuplicateDecision.objects.create(
            context=context,
            compared=match.participant,
            chart=chart,
            rules=list(match.rules),
            decision=answer.decision,
            reason="" if same else answer.reason,
            decided_by=acting_user,
            decided_at=now,
        )
        record(
            "participant.duplicate_decided",
            acting_user=acting_user,
            participant=chart,
            target=row,
            details={
                "context": context,
                "decision": row.decision,
                "reason": row.reason or None,
                "rules": row.rules,
                "compared": str(match.participant.code),
            },
        )
        rows.append(row)
    return rows


@transaction.atomic
def add_participant(
    *, program: Program, fields: dict, answer: Answer | None, acting_user: User
) -> tuple[Participant, bool]:
    """A new chart, unless its details match a chart the user works with (PossibleDuplicates)
    and the answer says it is the same person: then that chart, and False."""
    # Two people adding the same person at once: the second waits, then sees the first's chart.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    matches = possible_duplicates(acting_user, Person.of(fields), program)
    existing = resolve_duplicates(matches, answer)
    chart = existing or create_participant(program=program, fields=fields, acting_user=acting_user)
    record_duplicate_decisions(
        matches,
        answer=answer,
        context=DuplicateDecision.Context.NEW_CHART,
        chart=chart,
        acting_user=acting_user,
    )
    return chart, existing is None


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


@transaction.atomic
def break_glass(participant: Participant, *, reason: str, acting_user: User) -> BreakGlassGrant:
    """Open the chart to `acting_user` for OPENIOP_BREAK_GLASS_MINUTES, read only.

    The caller has checked the reason and the re-authentication. The privacy officers are
    told once the grant commits. A second request while a grant is live returns that grant:
    the clock does not restart without a new reason.
    """
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    existing = live_grant(acting_user, participant)
    if existing is not None:
        return existing
    now = timezone.now()
    minutes = settings.OPENIOP_BREAK_GLASS_MINUTES
    grant = BreakGlassGrant.objects.create(
        user=acting_user,
        participant=participant,
        reason=reason,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    )
    # The reason stays on the grant: it is free text and may carry PHI.
    record(
        "break_glass.granted",
        acting_user=acting_user,
        participant=participant,
        target=grant,
        details={"grant": str(grant.code), "minutes": minutes, "reauthenticated": True},
    )
    grant_id = grant.pk
    transaction.on_commit(lambda: tasks.notify_privacy_officers.enqueue(grant_id))
    return grant


@transaction.atomic
def refuse_break_glass(participant: Participant, *, fields: list[str], acting_user: User) -> None:
    """A request without a reason or a correct re-authentication: nothing is granted, and
    the attempt is on the trail with the names of the fields that failed (never their text)."""
    record(
        "break_glass.refused",
        acting_user=acting_user,
        participant=participant,
        outcome="denied",
        details={"fields": sorted(fields)},
    )


@transaction.atomic
def end_break_glass(grant: BreakGlassGrant, *, acting_user: User) -> bool:
    """End a live grant now ("End now"); False when it had already ended or expired."""
    current = BreakGlassGrant.objects.select_for_update().get(pk=grant.pk)
    now = timezone.now()
    if current.ended_at is not None or current.expires_at <= now:
        return False
    current.ended_at = now
    current.save(update_fields=["ended_at"])
    record(
        "break_glass.ended",
        acting_user=acting_user,
        participant=current.participant,
        target=current,
        details={"grant": str(current.code)},
    )
    grant.ended_at = now
    return True
