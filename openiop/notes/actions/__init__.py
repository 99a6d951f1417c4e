"""Every write to notes (STYLE.md §3): atomic, audited, `acting_user` keyword-only."""

from openiop.notes.actions.progress import (
    DRAFT_FIELDS,
    NOTE_TEXT_LIMIT,
    NoteConflict,
    NoteError,
    NoteLocked,
    save_draft,
    start_note_without_session,
    start_session_note,
)
from openiop.notes.actions.signing import (
    NoteAlreadySigned,
    NoteIncomplete,
    NoteIntegrityError,
    NoteNotSigned,
    add_addendum,
    cosign_note,
    missing_for_signature,
    sign_note,
    signature_matches,
)

__all__ = [
    "DRAFT_FIELDS",
    "NOTE_TEXT_LIMIT",
    "NoteAlreadySigned",
    "NoteConflict",
    "NoteError",
    "NoteIncomplete",
    "NoteIntegrityError",
    "NoteLocked",
    "NoteNotSigned",
    "add_addendum",
    "cosign_note",
    "missing_for_signature",
    "save_draft",
    "sign_note",
    "signature_matches",
    "start_note_without_session",
    "start_session_note",
]
