"""The gate to a group session's note and attendance (docs/permissions.md).

The note is written by those who run the session: the group's facilitators (lead,
co-facilitator, peer specialist, each only where they may hold that seat) and the program's
directors. Whoever else may see the session (an intake coordinator of the program) gets 403;
everyone else, participants included, 404, as for a session that does not exist.

The page shows every attendee's name and individual part, so its read is recorded here as one
`notes.group_note_viewed` event.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.programs import access as programs
from openiop.scheduling import access as scheduling
from openiop.scheduling.models import Session


def may_write_group_note(user: User, session: Session) -> bool:
    if session.group is None:
        return False
    return programs.is_director(user, session.program_id) or programs.facilitates(
        user, session.group
    )


def get_group_session_for_writer(
    user: User, code: uuid.UUID | str, *, read: bool = False
) -> Granted[Session]:
    """The group session behind `code`, for someone who may write its note; `read` records
    the page's read."""
    session, _ = scheduling.get_session_for_user(user, code)
    if session.group is None:
        raise Http404
    if not may_write_group_note(user, session):
        raise PermissionDenied
    if read:
        record_read("notes.group_note_viewed", acting_user=user, target=session)
    return Granted(session, Access.WRITE)
