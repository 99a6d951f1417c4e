"""Who sees which session feedback trends (docs/feedback.md).

- A facilitator or clinician sees the check-ins of the sessions they run: their groups' and
  their own appointments'.
- A director sees every check-in of the programs they direct, per group and per clinician.
- Participants and other staff: 404. Trends are averages, never one person's answers.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.feedback.models import SessionCheckIn
from openiop.programs import access as programs
from openiop.programs.eligibility import CLINICAL_ROLES


def run_by(user: User) -> Q:
    return Q(session__clinician=user) | Q(
        session__group_id__in=programs.facilitated_group_ids(user)
    )


def trend_scope(user: User) -> tuple[QuerySet[SessionCheckIn], QuerySet[SessionCheckIn], Any]:
    """(the user's own sessions' check-ins, the directed programs' check-ins, directed
    program ids); 404 for anyone who may see neither."""
    if not (user.is_authenticated and user.is_active and user.role in CLINICAL_ROLES):
        raise Http404
    directed = programs.directed_program_ids(user)
    own = SessionCheckIn.objects.filter(run_by(user))
    program_wide = SessionCheckIn.objects.filter(session__program_id__in=directed)
    return own, program_wide, directed
