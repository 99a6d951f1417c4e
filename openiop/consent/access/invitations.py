"""Who may see and send portal invitations: the chart's writers (its care team with write
access, the program's directors and intake coordinators), through the chart's gate. Staff only:
a participant's own READ access to their chart does not reach these pages (404).
"""

import uuid

from django.http import Http404

from openiop.accounts.models import User
from openiop.consent.invitations import Invitation
from openiop.participants import access as participant_access
from openiop.participants.models import GuardianLink, Participant


def _staff_only(user: User) -> None:
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404


def get_chart_for_invitations(user: User, code: uuid.UUID | str, *, read: bool) -> Participant:
    """The chart, if `user` may change it (404 outsiders, 403 readers). `read`: the request
    shows the chart (its page records the one read)."""
    _staff_only(user)
    participant, _ = participant_access.get_participant_for_user(user, code, write=True, read=read)
    return participant


def get_invitation_for_user(user: User, code: uuid.UUID | str) -> Invitation:
    """An invitation to change (resend, revoke), through its chart's gate."""
    _staff_only(user)
    try:
        invitation = Invitation.objects.select_related("participant").get(code=code)
    except (Invitation.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    participant_access.check_access(user, invitation.participant, write=True)
    return invitation


def get_guardian_link_for_user(user: User, code: uuid.UUID | str) -> GuardianLink:
    _staff_only(user)
    try:
        link = GuardianLink.objects.select_related("participant", "user").get(code=code)
    except (GuardianLink.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    participant_access.check_access(user, link.participant, write=True)
    return link
