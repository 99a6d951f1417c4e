"""The gate to a chart's documents (docs/permissions.md).

Documents belong to one chart, so the chart's rules decide (`participants.access`): outsiders
get 404, readers 403 on a write. On top of them, documents are staff-only: participants get 404
on every documents page, their own chart's included. What staff upload (an outside
psychiatrist's letter, an ID scan) is not written for the participant, and a participant who
wants a copy asks for one through the right-of-access request, where staff review it.

Pages record one read each: the list `documents.list_viewed`, a download
`documents.document_downloaded`, the upload form the chart's `participant.chart_viewed`.
"""

import uuid

from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.documents.models import Document
from openiop.lib.access import Granted
from openiop.participants.access import check_access, get_participant_for_user
from openiop.participants.models import Participant


def _staff_only(user: User) -> None:
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404


def get_chart_for_documents(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    read_event: str = "documents.list_viewed",
) -> Granted[Participant]:
    """The chart behind `code` for its documents: the list (records `read_event`), or with
    `write=True` an upload (403 for readers)."""
    _staff_only(user)
    granted = get_participant_for_user(user, code, write=write, read=False)
    if read is None:
        read = not write
    if read:
        record_read(read_event, acting_user=user, participant=granted.row)
    return granted


def get_document_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, read: bool | None = None
) -> Granted[Document]:
    """A document still on its chart: to download (records `documents.document_downloaded`)
    or, with `write=True`, to remove. A removed document is 404: it is off the chart."""
    _staff_only(user)
    try:
        document = Document.objects.select_related("participant__program").get(
            code=code, removed_at__isnull=True
        )
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    access = check_access(user, document.participant, write=write, read=False)
    if read is None:
        read = not write
    if read:
        record_read(
            "documents.document_downloaded",
            acting_user=user,
            participant=document.participant,
            target=document,
            details={"kind": document.kind, "bytes": document.size},
        )
    return Granted(document, access)
