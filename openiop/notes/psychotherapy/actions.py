"""Writing psychotherapy notes. The text is encrypted here, before any row is built, and is
never put in an audit event, an exception message or a log: events carry codes only.
"""

from django.db import transaction

from openiop.accounts.encryption import keyring
from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.notes.models import PsychotherapyNote
from openiop.participants.models import Participant
from openiop.scheduling.models import Session

# Characters; 100 KB of typed text fits with room to spare (the request limit is larger).
MAX_TEXT_LENGTH = 200_000


class StaleNote(Exception):
    """The note changed after the author opened it (another tab, another device)."""

    def __init__(self, note: PsychotherapyNote) -> None:
        super().__init__("The psychotherapy note changed since it was opened.")
        self.note = note


def encrypt(text: str) -> str:
    return keyring().encrypt(text)


def decrypt(note: PsychotherapyNote) -> str:
    return keyring().decrypt(note.ciphertext)


@transaction.atomic
def write_note(
    participant: Participant,
    *,
    text: str,
    session: Session | None = None,
    acting_user: User,
) -> PsychotherapyNote:
    """A new note by `acting_user` (the caller checked they may keep notes about them)."""
    note = PsychotherapyNote.objects.create(
        author=acting_user, participant=participant, session=session, ciphertext=encrypt(text)
    )
    record(
        "notes.psychotherapy_note_written",
        acting_user=acting_user,
        participant=participant,
        target=note,
        details={"session": str(session.code) if session is not None else None},
    )
    return note


@transaction.atomic
def update_note(
    note: PsychotherapyNote, *, text: str, expected_version: int, acting_user: User
) -> PsychotherapyNote:
    """Replace the note's text, if nobody saved it since `expected_version` was read.

    The row is locked first, so of two saves started from the same version one wins and the
    other raises `StaleNote` (with the note as saved), and its author keeps their text.
    """
    locked = PsychotherapyNote.objects.select_for_update().get(pk=note.pk)
    if locked.author_id != acting_user.pk:
        raise PermissionError("Only the author changes a psychotherapy note.")
    if locked.edit_version != expected_version:
        raise StaleNote(locked)
    locked.ciphertext = encrypt(text)
    locked.edit_version += 1
    locked.save(update_fields=["ciphertext", "edit_version", "updated_at"])
    record(
        "notes.psychotherapy_note_updated",
        acting_user=acting_user,
        participant=locked.participant,
        target=locked,
        details={"version": locked.edit_version},
    )
    return locked
