"""Writing a progress note: start it (for a session, or without one) and save its draft.

Drafts are saved by the page every few seconds (static/js/autosave.js) and by its buttons.
Each save names the `edit_version` it started from; a save from an older version is refused
(`NoteConflict`) unless it changes nothing, so two tabs or devices editing one draft never
overwrite each other silently: one saves, the other is told and keeps its text.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans.models import Objective
from openiop.notes import queries
from openiop.notes.labels import note_is_part2
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.scheduling.models import Session

# A limit per text field, stated on the form: long enough for any session's note (a 100 KB
# paste is refused with a message, and the text stays on the page).
NOTE_TEXT_LIMIT = 50_000

# The fields a draft save may change, besides `objectives`.
DRAFT_FIELDS = (
    "form",
    "started_at",
    "ended_at",
    "telehealth_mode",
    "participant_location",
    "sections",
    "risk_status",
    "risk_comment",
    "medications_reviewed",
)


class NoteError(Exception):
    """A change to a note that was refused; the message is for the person who asked."""


class NoteLocked(NoteError):
    """The note is signed: it changes only by addenda."""

    def __init__(self) -> None:
        super().__init__(
            "This note is signed, so it can no longer be changed. "
            "Add an addendum to correct or add to it."
        )


class NoteConflict(NoteError):
    """The draft changed since the page was opened (another tab or device saved it)."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            "This draft was changed somewhere else (another tab or device) after you opened "
            "it, so your latest changes were not saved. Your text is still on this page: "
            "copy it, then open the saved version and add it back."
        )


def lock(note: Note) -> Note:
    """Lock the note's row for this transaction and reload it in place."""
    note.refresh_from_db(
        from_queryset=Note.objects.select_for_update(of=("self",)).select_related(
            "participant__program", "author", "session__program"
        )
    )
    return note


def _check_lengths(values: dict[str, Any]) -> None:
    texts = [v for v in values.get("sections", {}).values()] + [
        values.get(name) or "" for name in ("risk_comment", "medications_reviewed")
    ]
    if any(len(text) > NOTE_TEXT_LIMIT for text in texts):
        raise NoteError(f"A part of the note is longer than {NOTE_TEXT_LIMIT:,} characters.")


def _create(note: Note, *, acting_user: User) -> Note:
    note.part2 = note_is_part2(note.participant, note.session)
    note.scores = queries.this_weeks_scores(note.participant, now=timezone.now())
    if note.kind == Note.Kind.PSYCHIATRY:
        note.medications_reviewed = queries.current_medications(
            note.participant, today=timezone.localdate()
        )
    note.save()
    record(
        "notes.note_started",
        acting_user=acting_user,
        participant=note.participant,
        target=note,
        details={
            "note": str(note.code),
            "session": str(note.session.code) if note.session else None,
            "kind": note.kind,
        },
    )
    return note


@transaction.atomic
def start_session_note(
    session: Session, participant: Participant, *, acting_user: User
) -> tuple[Note, bool]:
    """The participant's note of the session: the existing one, or a new draft by
    `acting_user` pre-filled from the session (queries.prefill_for_session). Returns the note
    and whether it was created."""
    existing = Note.objects.filter(session=session, participant=participant).first()
    if existing is not None:
        return existing, False
    if session.kind == Session.Kind.GROUP:
        raise NoteError("Group sessions are documented with a group note.")
    if session.is_cancelled:
        raise NoteError("This session was cancelled, so there is nothing to document.")
    if session.starts_at > timezone.now():
        raise NoteError("A session's note can be written once the session has started.")
    note = Note(
        participant=participant,
        session=session,
        author=acting_user,
        kind=session.kind,
        **queries.prefill_for_session(session, participant),
    )
    try:
        with transaction.atomic():
            _create(note, acting_user=acting_user)
    except IntegrityError:
        # Another request started it a moment ago (one note per participant and session).
        return Note.objects.get(session=session, participant=participant), False
    return note, True


@transaction.atomic
def start_note_without_session(
    participant: Participant,
    *,
    kind: str,
    started_at: datetime,
    ended_at: datetime,
    acting_user: User,
) -> Note:
    """A progress note for contact that was not booked as a session (a crisis call, an
    unscheduled check-in): the clinician enters its times."""
    if kind not in (Note.Kind.INDIVIDUAL, Note.Kind.FAMILY, Note.Kind.PSYCHIATRY):
        raise NoteError("Choose an individual, family or psychiatry note.")
    if ended_at <= started_at:
        raise NoteError("The end must be after the start.")
    note = Note(
        participant=participant,
        author=acting_user,
        kind=kind,
        started_at=started_at,
        ended_at=ended_at,
    )
    return _create(note, acting_user=acting_user)


@transaction.atomic
def save_draft(
    note: Note,
    *,
    values: dict[str, Any],
    objectives: list[Objective] | None,
    expected_version: int,
    acting_user: User,
    automatic: bool = False,
) -> list[str]:
    """Save a draft's fields (`values`, keys from DRAFT_FIELDS) and cited objectives.

    Returns the names of the fields that changed (none: nothing was written, and the version
    stays). Raises NoteLocked for a signed note and NoteConflict when the draft moved on from
    `expected_version` and this save would change it.
    """
    lock(note)
    if note.is_signed:
        raise NoteLocked
    if note.author_id != acting_user.pk:
        raise NoteError("Only the note's author can change it.")
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not draft fields: {sorted(unknown)}")
    _check_lengths(values)
    changed = [name for name, value in values.items() if getattr(note, name) != value]
    if objectives is not None:
        chosen = {objective.pk for objective in objectives}
        if chosen != set(note.objectives.values_list("pk", flat=True)):
            changed.append("objectives")
    if not changed:
        return []
    if expected_version != note.edit_version:
        raise NoteConflict(note.edit_version)
    ended_at = values.get("ended_at", note.ended_at)
    started_at = values.get("started_at", note.started_at)
    if started_at and ended_at and ended_at <= started_at:
        raise NoteError("The end must be after the start.")
    for name in changed:
        if name != "objectives":
            setattr(note, name, values[name])
    if "objectives" in changed:
        note.objectives.set(objectives or [])
    note.edit_version += 1
    if automatic:
        note.autosaved_at = timezone.now()
    note.save(
        update_fields=[n for n in changed if n != "objectives"]
        + ["edit_version", "autosaved_at", "updated_at"]
    )
    record(
        "notes.draft_saved",
        acting_user=acting_user,
        participant=note.participant,
        target=note,
        details={
            "note": str(note.code),
            "version": note.edit_version,
            "fields": changed,
            "automatic": automatic,
        },
    )
    return changed
