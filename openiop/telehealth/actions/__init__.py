"""Every telehealth write: atomic, with its audit event in the same transaction.

One module per part of a session: ``rooms`` (Janus rooms), ``tickets``, ``waiting_room``
(location gate, admitting, moving, muting, removing), ``feeds`` (the Janus publisher ids the
server assigns, and the check that the room holds no others), ``help`` and ``presence``
(presence and attendance minutes), ``guests`` (invited interpreters and family members).
Janus is called from here too; reads live in ``queries``.
"""

from ..errors import (
    ConsentsMissing,
    GuestRefused,
    NotAdmitted,
    NotLicensedThere,
    NotOpenYet,
    SessionOver,
    TelehealthError,
    VideoUnavailable,
)
from ..queries import (
    CLOSE_GRACE,
    capture_size,
    check_window,
    covering_states,
    display_name,
    ice_servers,
    join_window,
    last_location,
    summarize,
)
from .common import BREAKOUT_PUBLISHERS, as_janus_room
from .crisis import record_call
from .feeds import assign_feed, check_feeds, revoke_feeds
from .guests import (
    GUEST_SESSION_KINDS,
    MAX_GUESTS,
    accept_invite,
    admit_guest,
    check_guests_allowed,
    create_invite,
    guest_problem,
    issue_guest_ticket,
    link_problem,
    live_invites,
    record_guest_presence,
    revoke_invite,
    send_invite_link,
)
from .help import acknowledge_help, request_help
from .nodes import (
    check_nodes,
    ensure_room_on_node,
    mark_node,
    move_room,
    place,
    replace_rooms_of_dead_nodes,
    set_draining,
)
from .presence import correct_attendance, finalize_attendance, record_presence
from .rooms import (
    close_finished_rooms,
    close_room,
    get_or_open_room,
)
from .tickets import issue_ticket
from .waiting_room import (
    AUDIO_MID,
    admit,
    admit_all,
    confirm_location,
    move,
    remove_participant,
    set_muted,
)

__all__ = [
    "AUDIO_MID",
    "BREAKOUT_PUBLISHERS",
    "CLOSE_GRACE",
    "GUEST_SESSION_KINDS",
    "MAX_GUESTS",
    "ConsentsMissing",
    "GuestRefused",
    "NotAdmitted",
    "NotLicensedThere",
    "NotOpenYet",
    "SessionOver",
    "TelehealthError",
    "VideoUnavailable",
    "accept_invite",
    "acknowledge_help",
    "admit",
    "admit_all",
    "admit_guest",
    "as_janus_room",
    "assign_feed",
    "capture_size",
    "check_feeds",
    "check_guests_allowed",
    "check_nodes",
    "check_window",
    "close_finished_rooms",
    "close_room",
    "confirm_location",
    "correct_attendance",
    "covering_states",
    "create_invite",
    "display_name",
    "ensure_room_on_node",
    "finalize_attendance",
    "get_or_open_room",
    "guest_problem",
    "ice_servers",
    "issue_guest_ticket",
    "issue_ticket",
    "join_window",
    "last_location",
    "link_problem",
    "live_invites",
    "mark_node",
    "move",
    "move_room",
    "place",
    "record_call",
    "record_guest_presence",
    "record_presence",
    "remove_participant",
    "replace_rooms_of_dead_nodes",
    "request_help",
    "revoke_feeds",
    "revoke_invite",
    "send_invite_link",
    "set_draining",
    "set_muted",
    "summarize",
]
