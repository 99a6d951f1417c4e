"""The gate to discharge summaries (docs/permissions.md).

A summary belongs to one chart, so the chart's rules decide: outsiders get 404, readers 403 on
a write. A draft is the team's work in progress: the participant sees their summary once it is
signed (and gets a 404 before, as for anything that does not exist for them). Signing also
needs a clinician or the program's director. A signed summary is never written again; its
chart is discharged, so the chart gate refuses writes to it anyway.

A page that shows a summary records one `discharge.summary_viewed` read (or
`discharge.summary_exported` for the PDF) instead of the chart read.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.discharge.actions import SIGNING_ROLES
from openiop.discharge.models import DischargeSummary
from openiop.lib.access import Access, Granted
from openiop.participants.access import check_access


def can_sign(user: User, access: Access) -> bool:
    return access == Access.WRITE and user.role in SIGNING_ROLES


def get_summary_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    sign: bool = False,
    read: bool | None = None,
    read_event: str = "discharge.summary_viewed",
) -> Granted[DischargeSummary]:
    if not user.is_authenticated:
        raise Http404
    try:
        summary = DischargeSummary.objects.select_related(
            "participant__program", "episode__program", "episode__referral", "author", "signed_by"
        ).get(code=code)
    except (DischargeSummary.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if user.is_participant and not summary.is_signed:
        raise Http404
    # Signing a summary signed already is answered by the page ("signed already"), not with a
    # 403 from its now discharged chart.
    signing = sign and not summary.is_signed
    writing = write or signing
    access = check_access(user, summary.participant, write=writing, read=False)
    if sign and user.role not in SIGNING_ROLES:
        raise PermissionDenied
    if read is None:
        read = not writing
    if read:
        record_read(read_event, acting_user=user, participant=summary.participant, target=summary)
    return Granted(summary, access)


def signed_summary_for_participant_user(user: User) -> DischargeSummary | None:
    """The signed-in participant's latest signed summary, for their home page (no read event:
    the person whose record it is reads it)."""
    if not user.is_authenticated or not user.is_participant:
        return None
    return (
        DischargeSummary.objects.filter(
            participant__user=user,
            participant__discharged_at__isnull=False,
            status=DischargeSummary.Status.SIGNED,
        )
        .order_by("-signed_at")
        .first()
    )
