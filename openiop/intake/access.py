"""Gates to referrals. A referral is part of the participant's chart, so the participant gate
decides (404 for outsiders, 403 for read-only users); level-of-care decisions also need a
clinician or director, since a clinician always decides."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.intake.models import Referral
from openiop.lib.access import Granted
from openiop.participants.access import (
    can_create_participants,
    check_access,
    programs_for_new_participants,
    visible_participants,
)
from openiop.programs import access as programs
from openiop.programs.models import Program

DECIDING_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)


def referrals_for_user(user: User) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_staff_member:
        return Referral.objects.none()
    return Referral.objects.filter(participant__in=visible_participants(user)).select_related(
        "participant", "program"
    )


def get_referral_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    decide: bool = False,
    read: bool | None = None,
) -> Granted[Referral]:
    """A referral, with the user's access to the participant's chart. `read` (default: neither
    `write` nor `decide`) records a chart read: a referral is part of the chart, so it shows
    on the participant's "who has seen my record" page."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    try:
        referral = Referral.objects.select_related("participant", "program").get(code=code)
    except (Referral.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    writing = write or decide
    # An open referral of a discharged participant is a way back in (a readmission): its steps
    # may be written although the rest of the closed chart stays read-only.
    access = check_access(
        user,
        referral.participant,
        write=writing,
        read=not writing if read is None else read,
        allow_discharged=referral.is_open,
    )
    if decide and user.role not in DECIDING_ROLES:
        raise PermissionDenied
    return Granted(referral, access)


def can_create_referrals(user: User) -> bool:
    return can_create_participants(user)


def programs_for_referrals(user: User) -> QuerySet[Program]:
    return programs_for_new_participants(user)


def directed_programs(user: User) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=programs.directed_program_ids(user)).order_by("name")


def get_program_to_edit_rules(user: User, code: uuid.UUID | str) -> Program:
    """Program directors edit their program's level-of-care rules; others get a 404."""
    try:
        return directed_programs(user).get(code=code)
    except (Program.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
