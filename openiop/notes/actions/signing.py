"""Signing, amending and co-signing notes (CLINICAL.md §5.1; 45 CFR 164.312(c)).

Used for every `Note`, progress notes and each attendee's note of a group session alike:
- `sign_note`: the author signs; the note is locked and its content hashed
  (`content_hash = sha256(note.signed_content())`), and whether it needs a co-signature is
  decided then (`rules.needs_cosignature`).
- `add_addendum`: a later change to a signed note, with who, when and why.
- `cosign_note`: the author's supervisor (or a director) co-signs (`rules.may_cosign`).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib.integrity import content_hash
from openiop.notes import rules
from openiop.notes.actions.progress import NOTE_TEXT_LIMIT, NoteError, lock
from openiop.notes.models import FORM_SECTIONS, Addendum, Note
from openiop.programs.models import Program

# Where the participant was is recorded at every telehealth session (CLINICAL.md §0, §4.3).
TELEHEALTH_MODES = (Note.TelehealthMode.VIDEO, Note.TelehealthMode.AUDIO_ONLY)


class NoteAlreadySigned(NoteError):
    def __init__(self, note: Note) -> None:
        signer = note.signed_by.display_name if note.signed_by else "its author"
        super().__init__(f"This note was already signed by {signer}; nothing was changed.")


class NoteNotSigned(NoteError):
    def __init__(self) -> None:
        super().__init__(
            "This note is still a draft: an addendum is for a signed note. "
            "Change the draft itself instead."
        )


class NoteIncomplete(NoteError):
    """What the note still needs before it can be signed: (field name, message) pairs."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        self.missing = missing
        super().__init__("The note is not ready to sign: " + " ".join(m for _, m in missing))


class NoteIntegrityError(NoteError):
    def __init__(self) -> None:
        super().__init__(
            "This note's content no longer matches what was signed. It cannot be co-signed; "
            "tell the program's director or administrator."
        )


def section_label(key: str) -> str:
    for sections in FORM_SECTIONS.values():
        for section_key, label in sections:
            if section_key == key:
                return label
    return key


def missing_for_signature(note: Note) -> list[tuple[str, str]]:
    """What a note needs before signing, per CLINICAL.md §5.1: start and stop times; each
    section of its form (text under another form's sections must be moved or cleared); the
    risk screen; the participant's location for telehealth; for psychiatry, the medications
    reviewed. A group session's note needs its shared part."""
    missing: list[tuple[str, str]] = []
    if note.started_at is None:
        missing.append(("started_at", "Enter when the session started."))
    if note.ended_at is None:
        missing.append(("ended_at", "Enter when the session ended."))
    if note.kind == Note.Kind.GROUP:
        if not note.shared_text.strip():
            missing.append(("shared_text", "Write the group's shared part."))
        return missing
    sections = note.sections or {}
    keys = [key for key, _ in FORM_SECTIONS.get(note.form, [])]
    for key in keys:
        if not str(sections.get(key, "")).strip():
            missing.append((f"section_{key}", f"Write the {section_label(key)} section."))
    form_label = Note.Form(note.form).label if note.form in Note.Form.values else note.form
    for key, text in sections.items():
        if key not in keys and str(text).strip():
            missing.append(
                (
                    f"section_{key}",
                    f"A {form_label} note has no {section_label(key)} section: move that text "
                    "into this note's sections, or clear it.",
                )
            )
    if not note.risk_status:
        missing.append(("risk_status", "Record the risk status."))
    if note.telehealth_mode in TELEHEALTH_MODES and not note.participant_location.strip():
        missing.append(
            ("participant_location", "Record where the participant was during the session.")
        )
    if note.kind == Note.Kind.PSYCHIATRY and not note.medications_reviewed.strip():
        missing.append(("medications_reviewed", "Record the medications reviewed."))
    return missing


def _program(note: Note) -> Program | None:
    return note.session.program if note.session is not None else note.participant.program


@transaction.atomic
def sign_note(note: Note, *, acting_user: User) -> Note:
    """Lock the note under the author's signature. Raises NoteAlreadySigned (nothing
    changes), NoteError when someone else tries, NoteIncomplete when a required part is
    missing."""
    lock(note)
    if note.is_signed:
        raise NoteAlreadySigned(note)
    if note.author_id != acting_user.pk:
        raise NoteError("Only the note's author can sign it.")
    missing = missing_for_signature(note)
    if missing:
        raise NoteIncomplete(missing)
    note.status = Note.Status.SIGNED
    note.signed_by = acting_user
    note.signed_at = timezone.now()
    note.cosign_required = rules.needs_cosignature(note.author, _program(note))
    note.content_hash = content_hash(note.signed_content())
    note.save(
        update_fields=[
            "status",
            "signed_by",
            "signed_at",
            "cosign_required",
            "content_hash",
            "updated_at",
        ]
    )
    record(
        "notes.note_signed",
        acting_user=acting_user,
        participant=note.participant,
        target=note,
        details={
            "note": str(note.code),
            "kind": note.kind,
            "version": note.edit_version,
            "objectives": note.objectives.count(),
        },
    )
    return note


def signature_matches(note: Note) -> bool:
    """Whether the note's content is still what its author signed."""
    return bool(note.content_hash) and content_hash(note.signed_content()) == note.content_hash


@transaction.atomic
def add_addendum(note: Note, *, text: str, reason: str, acting_user: User) -> Addendum:
    """A later change to a signed note, with who, when and why; the note stays as signed."""
    lock(note)
    if not note.is_signed:
        raise NoteNotSigned
    text, reason = text.strip(), reason.strip()
    if not text or not reason:
        raise NoteError("An addendum needs its text and the reason for it.")
    if len(text) > NOTE_TEXT_LIMIT or len(reason) > 200:
        raise NoteError(f"An addendum is limited to {NOTE_TEXT_LIMIT:,} characters.")
    addendum = Addendum.objects.create(
        note=note, author=acting_user, reason=reason, text=text, created_at=timezone.now()
    )
    record(
        "notes.addendum_added",
        acting_user=acting_user,
        participant=note.participant,
        target=note,
        details={"note": str(note.code), "addendum": str(addendum.code)},
    )
    return addendum


@transaction.atomic
def cosign_note(note: Note, *, acting_user: User) -> Note:
    """The supervisor's (or director's) co-signature on a signed note that needs one.
    PermissionDenied for anyone `rules.may_cosign` does not name."""
    lock(note)
    if not note.is_signed:
        raise NoteError("A draft cannot be co-signed: its author signs it first.")
    if not note.cosign_required:
        raise NoteError("This note does not need a co-signature.")
    if note.cosigned_at is not None:
        cosigner = note.cosigned_by.display_name if note.cosigned_by else "someone"
        raise NoteError(f"This note was already co-signed by {cosigner}; nothing was changed.")
    if not rules.may_cosign(acting_user, note.author, _program(note)):
        raise PermissionDenied
    if not signature_matches(note):
        raise NoteIntegrityError
    note.cosigned_by = acting_user
    note.cosigned_at = timezone.now()
    note.save(update_fields=["cosigned_by", "cosigned_at", "updated_at"])
    record(
        "notes.note_cosigned",
        acting_user=acting_user,
        participant=note.participant,
        target=note,
        details={"note": str(note.code)},
    )
    return note
