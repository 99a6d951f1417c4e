"""What the participant's Today page shows: their next session and what it needs first.

Tasks (a plan to sign, discharge next steps) and questionnaires come from their own apps'
template tags; this module adds the one thing no other app knows: which session is next and
whether it can be joined now.
"""

from dataclasses import dataclass, field
from datetime import datetime

from openiop.accounts.models import User
from openiop.consent.models import ConsentKind
from openiop.consent.queries import missing_before_first_session
from openiop.participants.models import Participant
from openiop.telehealth import access as video_access
from openiop.telehealth import queries as video_queries
from openiop.telehealth.errors import NotOpenYet, SessionOver
from openiop.telehealth.schedule import SessionInfo


@dataclass(frozen=True)
class NextSession:
    info: SessionInfo
    # The join window is open now (from some minutes before the start until after the end).
    open_now: bool
    # Consents to sign before the way in opens (the pre-join page refuses without them).
    missing_consents: list[ConsentKind] = field(default_factory=list)


def next_session(user: User, participant: Participant, now: datetime) -> NextSession | None:
    """The participant's next session not yet over (one still open counts), or None."""
    upcoming = video_access.upcoming_sessions(user, since=now - video_queries.CLOSE_GRACE)
    for info in upcoming:
        if info.cancelled:
            continue
        try:
            video_queries.check_window(info, now)
        except SessionOver:
            continue
        except NotOpenYet:
            open_now = False
        else:
            open_now = True
        missing = [ConsentKind(kind) for kind in missing_before_first_session(participant)]
        return NextSession(info=info, open_now=open_now, missing_consents=missing)
    return None
