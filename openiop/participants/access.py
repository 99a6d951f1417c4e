"""The one gate to participants' charts. See docs/permissions.md.

Views never query Participant directly: they ask here, and get a 404 when the user has no
relationship to the chart (indistinguishable from a chart that does not exist) or a 403 when
they may read it but asked to change it. Otherwise they get `Granted(participant, access)`,
and a page that shows the chart has had its read recorded here.

Facilitating a group opens the charts of its seated members, but groups' rosters live in a
higher app (scheduling): it registers the lookup with `register_facilitated_participants`.

Break-the-glass (HIPAA 164.312(a)(2)(ii)): a clinician of a licensed discipline who works in the
participant's program may read a chart they cannot otherwise open, for a limited time, after
stating a reason and signing in again (`BreakGlassGrant`). The grant found while deciding access
is remembered on the user object for the rest of the request, so every read recorded under it
carries `break_glass` and the grant's code (`break_glass_read_details`, registered with the
audit app), and the chart page can show its banner, without asking the database again.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.participants.matching import Match, Person, rules_matched
from openiop.participants.models import (
    BreakGlassGrant,
    CareTeamMember,
    DuplicateDecision,
    GuardianLink,
    Participant,
)
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat, is_clinical_staff, seat_programs
from openiop.programs.models import Program

__all__ = ["Access", "Granted"]  # re-exported: views and tests import them from here

# user -> values("participant_id") of the participants whose group the user facilitates.
FacilitatedParticipants = Callable[[User], QuerySet[Any]]
_facilitated_providers: list[FacilitatedParticipants] = []


def register_facilitated_participants(provider: FacilitatedParticipants) -> None:
    """Called by the app that seats participants in groups (in its AppConfig.ready)."""
    if provider not in _facilitated_providers:
        _facilitated_providers.append(provider)


def _facilitated(user: User) -> Q:
    """Participants seated in a group the user facilitates (DESIGN.md rule 1)."""
    condition = Q(pk__in=[])
    for provider in _facilitated_providers:
        condition |= Q(pk__in=provider(user))
    return condition


def _care_team_seats(user: User) -> QuerySet[CareTeamMember]:
    """The user's care-team places that count: only where they may sit on a care team."""
    return CareTeamMember.objects.filter(clinician=user).filter(
        seat_programs(user, Seat.CARE_TEAM, "participant__program")
    )


def visible_participants(user: User) -> QuerySet[Participant]:
    """Every chart the user may open, as one query (no per-row checks)."""
    qs = Participant.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == User.Role.PARTICIPANT:
        return qs.filter(user=user)
    if user.role == User.Role.GUARDIAN:
        # A guardian opens no chart page: the guardian portal asks `guardian_participants`.
        return qs.none()
    # Subqueries rather than joins: no DISTINCT, so counting a large caseload stays cheap.
    on_team = Q(pk__in=_care_team_seats(user).values("participant_id"))
    if user.role == User.Role.CLINICIAN:
        return qs.filter(on_team | _facilitated(user))
    if user.role == User.Role.PROGRAM_DIRECTOR:
        return qs.filter(
            Q(program_id__in=programs.directed_program_ids(user)) | on_team | _facilitated(user)
        )
    if user.role == User.Role.INTAKE_COORDINATOR:
        return qs.filter(program_id__in=programs.member_program_ids(user))
    # Administrators run accounts and the audit trail; they do not read charts.
    return qs.none()


def participant_access(
    user: User, participant: Participant, *, allow_discharged: bool = False
) -> Access:
    """The user's access to the chart. A discharged chart is read-only (a signed discharge
    summary closed it) except for the writes that pass `allow_discharged`: addenda to signed
    documents, a new referral, which may readmit, and a safety concern (a person in danger
    after discharge still needs the on-call clinician)."""
    access = _chart_access(user, participant)
    if participant.discharged_at is not None and not allow_discharged:
        return min(access, Access.READ)
    return access


def _chart_access(user: User, participant: Participant) -> Access:
    if not user.is_authenticated or not user.is_active:
        return Access.NONE
    _grants_in_use(user).pop(participant.pk, None)
    if user.role == User.Role.PARTICIPANT:
        # Participants read their own chart; changes go through their care team.
        return Access.READ if participant.user_id == user.pk else Access.NONE
    if user.role == User.Role.GUARDIAN:
        return Access.NONE
    member = _care_team_seats(user).filter(participant=participant).first()
    if member is not None and member.can_write:
        return Access.WRITE
    # A read-only seat on the team does not take away a director's or coordinator's rights
    # over their own program's charts.
    if user.role == User.Role.PROGRAM_DIRECTOR and programs.is_director(
        user, participant.program_id
    ):
        return Access.WRITE
    if user.role == User.Role.INTAKE_COORDINATOR and programs.works_in(
        user, participant.program_id
    ):
        return Access.WRITE
    if member is not None:
        return Access.READ
    # A facilitator reads the charts of the group's seated members; changes stay with the team.
    if (
        user.role in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
        and _facilitated_providers
        and Participant.objects.filter(_facilitated(user), pk=participant.pk).exists()
    ):
        return Access.READ
    # Emergency access reads only: what is written stays with the team.
    if may_break_glass(user) and (grant := live_grant(user, participant)) is not None:
        _grants_in_use(user)[participant.pk] = grant
        return Access.READ
    return Access.NONE


def check_access(
    user: User,
    participant: Participant,
    *,
    write: bool = False,
    read: bool | None = None,
    allow_discharged: bool = False,
) -> Access:
    """The chart rules for a row another gate found (a referral's, a response's participant).

    Raises Http404 without access and PermissionDenied (audited) when `write` is asked of a
    reader. `read` (default: not `write`) records the chart read, for pages that show it.
    """
    access = participant_access(user, participant, allow_discharged=allow_discharged)
    if access == Access.NONE:
        raise Http404
    if write and access < Access.WRITE:
        record(
            "participant.write_denied",
            acting_user=user,
            participant=participant,
            outcome="denied",
        )
        raise PermissionDenied
    if read is None:
        read = not write
    if read:
        record_read("participant.chart_viewed", acting_user=user, participant=participant)
    return access


def get_participant_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    allow_discharged: bool = False,
) -> Granted[Participant]:
    """The chart behind `code`, if `user` may see it, with the user's access to it.

    `write=True` is for requests that change the chart: read-only users get a 403 (and the
    write itself is audited by its action). `read` says whether the request shows the chart,
    and so records one `participant.chart_viewed` event; it defaults to `not write`, so a form
    that shows the chart on GET and changes it on POST passes `read=request.method == "GET"`.
    """
    try:
        participant = Participant.objects.select_related("program").get(code=code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    return Granted(
        participant,
        check_access(user, participant, write=write, read=read, allow_discharged=allow_discharged),
    )


def own_chart(user: User) -> Participant:
    """The signed-in participant's own chart, for the pages only they see (their week, their
    questionnaires, the waiting room). 404 for staff and for an account without a chart.

    These pages record no read: the person whose record it is reads it, and the trail is for
    who else did (docs/permissions.md).
    """
    if not user.is_authenticated or not user.is_active or not user.is_participant:
        raise Http404
    try:
        return Participant.objects.select_related("program").get(user=user)
    except Participant.DoesNotExist as exc:
        raise Http404 from exc


def guardian_participants(user: User) -> QuerySet[Participant]:
    """The participants a signed-in guardian looks after (unrevoked links), for the guardian
    portal only: their upcoming session times and consents. Every chart page still answers a
    guardian with 404 (`_chart_access` gives NONE). Empty for anyone else. A program that
    stops allowing guardians ends their access at once (the links stay, and count again if it
    allows them again)."""
    if not user.is_authenticated or not user.is_active or user.role != User.Role.GUARDIAN:
        return Participant.objects.none()
    return Participant.objects.filter(
        pk__in=GuardianLink.objects.filter(user=user, revoked_at__isnull=True).values(
            "participant_id"
        ),
        discharged_at__isnull=True,
        program__allows_guardians=True,
    ).select_related("program")


def open_guardian_portal(user: User) -> list[Participant]:
    """`guardian_participants` for the guardian portal page, recording one read per
    participant shown (a guardian is someone else reading the record)."""
    participants = list(guardian_participants(user).order_by("given_name", "id"))
    for participant in participants:
        record_read("participant.guardian_portal_viewed", acting_user=user, participant=participant)
    return participants


def get_care_team_member_for_user(
    user: User, participant_code: uuid.UUID | str, member_code: uuid.UUID | str
) -> CareTeamMember:
    participant, _ = get_participant_for_user(user, participant_code, write=True)
    if not can_manage_care_team(user, participant):
        raise PermissionDenied
    try:
        return participant.care_team.select_related("clinician").get(code=member_code)
    except (CareTeamMember.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def can_manage_care_team(user: User, participant: Participant) -> bool:
    """Who sits on a care team is a permission change: directors of the program decide."""
    return programs.is_director(user, participant.program_id)


def can_create_participants(user: User) -> bool:
    return user.is_authenticated and user.role in (
        User.Role.PROGRAM_DIRECTOR,
        User.Role.INTAKE_COORDINATOR,
    )


def programs_for_new_participants(user: User) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=programs.member_program_ids(user))


def possible_duplicates(
    user: User,
    person: Person,
    program: Program,
    *,
    exclude: Participant | None = None,
) -> list[Match]:
    """Charts that `person` (details typed for a new chart or referral in `program`) may
    already have, by the rules of openiop.participants.matching.

    Only charts in the programs the user works in are compared: another program's or another
    organisation's charts are neither shown nor hinted at. Of those, a chart the user may open
    is returned with `visible=True`; a chart in `program` itself that they may not open is
    returned with `visible=False` (so it still stops a silent second chart, but is never
    described); others are left out. Records nothing: a page that lists the matches calls
    `record_duplicates_shown`.
    """
    if not user.is_authenticated or not user.is_staff_member:
        return []
    condition = Q(pk__in=[])
    if person.date_of_birth is not None:
        condition |= Q(date_of_birth=person.date_of_birth)
    if person.phone:
        condition |= Q(phone=person.phone)
    if person.email:
        condition |= Q(email__iexact=person.email)
    candidates = (
        Participant.objects.filter(condition, program_id__in=programs.member_program_ids(user))
        .select_related("program")
        .order_by("family_name", "given_name", "id")
    )
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    found = [(row, rules) for row in candidates if (rules := rules_matched(person, Person.of(row)))]
    if not found:
        return []
    visible = set(
        visible_participants(user)
        .filter(pk__in=[row.pk for row, _ in found])
        .values_list("pk", flat=True)
    )
    matches = [
        Match(participant=row, rules=rules, visible=row.pk in visible)
        for row, rules in found
        if row.pk in visible or row.program_id == program.pk
    ]
    return matches


def record_duplicates_shown(user: User, matches: list[Match]) -> None:
    """One `participant.duplicate_shown` read per chart the duplicate prompt describes."""
    for match in matches:
        if match.visible:
            record_read(
                "participant.duplicate_shown",
                acting_user=user,
                participant=match.participant,
                details={"rules": list(match.rules)},
            )


def can_review_duplicates(user: User) -> bool:
    """Directors and intake coordinators review "different person" decisions."""
    return can_create_participants(user)


def duplicate_decisions_for_user(user: User) -> QuerySet[DuplicateDecision]:
    """ "Different person" decisions about charts the user may open (either chart of the
    pair), newest first. 404 for anyone but directors and intake coordinators."""
    if not user.is_authenticated or not can_review_duplicates(user):
        raise Http404
    visible = visible_participants(user).values("pk")
    return (
        DuplicateDecision.objects.filter(decision=DuplicateDecision.Decision.DIFFERENT_PERSON)
        .filter(Q(chart__in=visible) | Q(compared__in=visible))
        .select_related("compared__program", "chart__program", "decided_by")
        .order_by("-decided_at", "-id")
    )


# Break-the-glass ---------------------------------------------------------------------------

_GRANTS_IN_USE = "_openiop_break_glass_grants"


def _grants_in_use(user: User) -> dict[int, BreakGlassGrant]:
    """participant pk -> the live grant that opened the chart during this request."""
    grants = getattr(user, _GRANTS_IN_USE, None)
    if grants is None:
        grants = {}
        setattr(user, _GRANTS_IN_USE, grants)
    return grants


def grant_in_use(user: User, participant: Participant) -> BreakGlassGrant | None:
    """The grant through which `user` reached this chart in this request, if any."""
    return getattr(user, _GRANTS_IN_USE, {}).get(participant.pk)


def break_glass_read_details(user: Any, participant: Any) -> dict[str, Any]:
    """Registered with openiop.audit.reads: the tag on each read made under a grant."""
    grant = getattr(user, _GRANTS_IN_USE, {}).get(getattr(participant, "pk", participant))
    if grant is None:
        return {}
    return {"break_glass": True, "grant": str(grant.code)}


def may_break_glass(user: User) -> bool:
    """Clinicians and directors of a licensed discipline: the people who could be on call.
    Peer specialists, intake coordinators, administrators and participants may not."""
    return is_clinical_staff(user) and user.discipline != User.Discipline.PEER_SPECIALIST


def require_break_glass(user: User, *, about_chart: bool = False) -> None:
    """The gate of the emergency-access pages: 404 for participants (and anyone signed out);
    a denied audit event and a 403 for staff whose role may not break the glass, or a 404
    when the request names a chart (a chart's address never says more than "not found")."""
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        raise Http404
    if not may_break_glass(user):
        record(
            "break_glass.denied",
            acting_user=user,
            outcome="denied",
            details={"role": user.role},
        )
        raise Http404 if about_chart else PermissionDenied


def live_grant(user: User, participant: Participant) -> BreakGlassGrant | None:
    """The user's unexpired, unended grant to this chart, while they still work in its
    program (a grant does not outlive the membership that allowed it)."""
    return (
        BreakGlassGrant.objects.filter(
            user=user,
            participant=participant,
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
            participant__program_id__in=programs.member_program_ids(user),
        )
        .order_by("-expires_at")
        .first()
    )


def _emergency_candidates(user: User) -> QuerySet[Participant]:
    """Charts in the programs the user works in, each marked `already_open` when the user
    can open it without breaking the glass."""
    return Participant.objects.filter(program_id__in=programs.member_program_ids(user)).annotate(
        already_open=Exists(visible_participants(user).filter(pk=OuterRef("pk")))
    )


def find_for_emergency(
    user: User,
    *,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: Any = None,
    code: uuid.UUID | None = None,
) -> list[Participant]:
    """Exact matches only, within the user's programs: the chart code, or the full name (any
    case) with the date of birth. Nothing partial, so the search cannot browse a program.
    The search is audited (how many matched, never what was typed)."""
    require_break_glass(user)
    candidates = _emergency_candidates(user).select_related("program")
    if code is not None:
        matches = candidates.filter(code=code)
    else:
        matches = candidates.filter(
            given_name__iexact=given_name.strip(),
            family_name__iexact=family_name.strip(),
            date_of_birth=date_of_birth,
        )
    found = list(matches.order_by("family_name", "given_name", "id")[:10])
    record("break_glass.searched", acting_user=user, details={"number": len(found)})
    return found


def get_emergency_candidate(user: User, code: uuid.UUID | str) -> Participant:
    """The chart behind `code` for the break-the-glass form: 404 unless it is in a program
    the user works in. Check `already_open` before offering a grant."""
    require_break_glass(user, about_chart=True)
    try:
        return _emergency_candidates(user).select_related("program").get(code=code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_grant_for_user(user: User, code: uuid.UUID | str) -> BreakGlassGrant:
    """One of the user's own grants (to end it); anyone else's is a 404."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        return BreakGlassGrant.objects.select_related("participant").get(code=code, user=user)
    except (BreakGlassGrant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def live_grants_of(user: User) -> QuerySet[BreakGlassGrant]:
    return BreakGlassGrant.objects.filter(
        user=user, ended_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("participant")


def can_review_break_glass(user: User) -> bool:
    """Privacy officers read the report of every emergency access (docs/permissions.md)."""
    return bool(
        user.is_authenticated and user.is_active and user.is_staff_member and user.privacy_officer
    )


def review_break_glass(user: User) -> None:
    """The report's gate: 404 unless a privacy officer; each viewing is on the trail."""
    if not can_review_break_glass(user):
        raise Http404
    record("break_glass.report_viewed", acting_user=user)
