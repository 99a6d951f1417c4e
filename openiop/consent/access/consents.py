"""The gate to consents and their texts (docs/permissions.md).

- A program's texts: its directors only (everyone else, including its other staff, gets 404).
- A participant's consents: the participant themself, and staff who may read the chart
  (the chart's rules: outsiders 404). Staff never sign or revoke: a revocation by staff on the
  person's word would need a written request, which is outside the portal.
- A participant's linked parent or guardian (`guardian_participants`): the family pages of
  each participant they look after (one `consent.list_viewed` on each GET), and the consents
  to care (GUARDIAN_KINDS) of that participant; they sign those in their own name. Never a
  Part 2 consent or a release, never a chart page: everyone else gets 404 on the family pages.
- A page that shows one consent records one read (`consent.viewed`, or `consent.exported` for
  the PDF and FHIR copies), whoever reads it, as the plan PDF does; the list of a chart's
  consents records `consent.list_viewed`. The participant's own list and sign pages record
  nothing (the person whose record it is reads it).
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.participants.access import (
    check_access,
    get_participant_for_user,
    guardian_participants,
    own_chart,
)
from openiop.participants.models import Participant
from openiop.programs.access import directed_program_ids
from openiop.programs.models import Program

from ..actions.consents import PART2_KINDS, SIGNABLE
from ..models import GUARDIAN_KINDS, Consent, ConsentKind


def get_program_for_director(user: User, code: uuid.UUID | str) -> Program:
    if not user.is_authenticated:
        raise Http404
    try:
        return Program.objects.filter(pk__in=directed_program_ids(user)).get(code=code)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def directed_programs(user: User) -> list[Program]:
    return list(Program.objects.filter(pk__in=directed_program_ids(user)).order_by("name"))


def kind_or_404(kind: str) -> ConsentKind:
    try:
        return ConsentKind(kind)
    except ValueError as exc:
        raise Http404 from exc


def kinds_for(participant: Participant) -> list[ConsentKind]:
    """What the participant may sign in the portal: Part 2 consents only in a Part 2 program."""
    part2 = participant.program is not None and participant.program.part2_program
    return [ConsentKind(k) for k in SIGNABLE if part2 or k not in PART2_KINDS]


def own_signable_kind(user: User, kind: str) -> tuple[Participant, ConsentKind]:
    """The signed-in participant's chart and a kind they may sign (404 otherwise)."""
    participant = own_chart(user)
    consent_kind = kind_or_404(kind)
    if consent_kind not in kinds_for(participant):
        raise Http404
    return participant, consent_kind


def get_ward_for_guardian(
    user: User, participant_code: uuid.UUID | str, *, read: bool = True
) -> Participant:
    """A participant the signed-in guardian looks after (a link in force, in a program that
    allows guardians, not discharged), for the family consent pages; 404 for everyone else.
    `read`: record one `consent.list_viewed` (the page shows their consents)."""
    if not user.is_authenticated or not user.is_guardian:
        raise Http404
    try:
        participant = guardian_participants(user).get(code=participant_code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if read:
        record_read("consent.list_viewed", acting_user=user, participant=participant)
    return participant


def ward_signable_kind(
    user: User, participant_code: uuid.UUID | str, kind: str, *, read: bool = True
) -> tuple[Participant, ConsentKind]:
    """A guardian's participant and a consent to care the guardian may sign (404 otherwise)."""
    consent_kind = kind_or_404(kind)
    if consent_kind not in GUARDIAN_KINDS:
        raise Http404
    return get_ward_for_guardian(user, participant_code, read=read), consent_kind


def get_chart_for_consents(user: User, code: uuid.UUID | str) -> Participant:
    """A chart's consents page (staff who may read the chart; one `consent.list_viewed`)."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    participant, _ = get_participant_for_user(user, code, read=False)
    record_read("consent.list_viewed", acting_user=user, participant=participant)
    return participant


def get_consent_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    revoke: bool = False,
    read_event: str | None = "consent.viewed",
    details: dict | None = None,
) -> Granted[Consent]:
    """One signed consent. `revoke=True`: only the participant themself, or their linked
    guardian for a consent to care (staff who may read the chart get 403, everyone else 404).
    A guardian reaches the consents to care of the participants they look after only."""
    if not user.is_authenticated:
        raise Http404
    try:
        consent = Consent.objects.select_related(
            "participant__program", "text", "signed_by", "revoked_by"
        ).get(code=code)
    except (Consent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    participant = consent.participant
    if user.is_participant:
        if participant.user_id != user.pk:
            raise Http404
        access = Access.WRITE
    elif user.is_guardian:
        if (
            consent.kind not in GUARDIAN_KINDS
            or not guardian_participants(user).filter(pk=participant.pk).exists()
        ):
            raise Http404
        access = Access.WRITE
    else:
        # Staff: the chart's rules; a reader may read, never revoke.
        check_access(user, participant, read=False, allow_discharged=True)
        access = Access.READ
        if revoke:
            raise PermissionDenied
    if read_event:
        record_read(
            read_event, acting_user=user, participant=participant, target=consent, details=details
        )
    return Granted(consent, access)
