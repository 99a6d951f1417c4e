"""The gate to progress notes (docs/permissions.md).

A note belongs to one chart, so the chart's rules decide (`participants.access.check_access`):
outsiders get 404, readers 403 on a write. On top of them:
- only clinical staff (clinicians and directors with a discipline) write notes, addenda and
  co-signatures; an intake coordinator may read notes but not write them;
- only a draft's author changes it (`get_draft_for_author`); anyone else who may write the
  chart gets 403;
- a supervisor (or director) asked to co-sign a note may read it even when the chart is not
  otherwise theirs: they must see what they sign (`rules.may_cosign`);
- participants read their own *signed* notes on their own pages (`own_signed_notes`,
  `get_own_signed_note`); the staff pages are 404 to them, and drafts are never shown to them.

Pages that show a note record one `notes.note_viewed` read (the PDF `notes.note_exported`,
the chart's list `notes.note_list_viewed`) instead of the chart read.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.reads import record_read
from openiop.consent import queries as consent_queries
from openiop.consent.models import Consent, ConsentKind
from openiop.lib.access import Access, Granted
from openiop.notes import disclosure, rules
from openiop.notes.models import Note
from openiop.participants.access import check_access, get_participant_for_user, own_chart
from openiop.participants.models import Participant
from openiop.programs.eligibility import is_clinical_staff
from openiop.programs.models import Program
from openiop.scheduling import access as scheduling_access
from openiop.scheduling.models import Booking, Session


def _staff_only(user: User) -> None:
    """The staff pages of notes are 404 to participants: theirs are `own_*` below."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404


def _note(code: uuid.UUID | str) -> Note:
    try:
        return Note.objects.select_related(
            "participant__program",
            "author",
            "session__program",
            "signed_by",
            "cosigned_by",
        ).get(code=code)
    except (Note.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def may_cosign(user: User, note: Note) -> bool:
    """Whether `user` may co-sign `note` now (it awaits a co-signature they may give)."""
    return note.awaiting_cosignature and rules.may_cosign(user, note.author, note_program(note))


def note_program(note: Note) -> Program | None:
    """The program whose rules apply to the note: its session's, else the chart's."""
    if note.session is not None:
        return note.session.program
    return note.participant.program


def get_note_for_user(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    export: bool = False,
    allow_discharged: bool = False,
) -> Granted[Note]:
    """The note behind `code`, with the user's access to it.

    `write=True` is for requests that change it (403 for readers, audited by the chart gate).
    `read` (default: not `write`) records `notes.note_viewed`; `export=True` is the PDF, which
    exists for signed notes only (404 for a draft) and records `notes.note_exported` instead.
    `allow_discharged` lets an addendum through on a discharged chart.
    """
    _staff_only(user)
    note = _note(code)
    try:
        access = check_access(
            user, note.participant, write=write, read=False, allow_discharged=allow_discharged
        )
    except Http404:
        # A supervisor co-signing a note reads it even if the chart is not otherwise theirs.
        if write or not may_cosign(user, note):
            raise
        access = Access.READ
    if export and not note.is_signed:
        raise Http404
    if read is None:
        read = not write
    if read:
        record_read(
            "notes.note_exported" if export else "notes.note_viewed",
            acting_user=user,
            participant=note.participant,
            target=note,
            details={"format": "pdf"} if export else None,
        )
    return Granted(note, access)


@dataclass(frozen=True)
class NoteExport:
    note: Note
    # The participant's Part 2 consent the export goes out under (a Part 2 note only).
    consent: Consent | None = None
    # A Part 2 note with no consent covering it: nothing may be exported.
    withheld: bool = False


def get_note_to_export(user: User, code: uuid.UUID | str) -> NoteExport:
    """A signed note for its PDF (`get_note_for_user(export=True)`), through the Part 2 gate.

    Staff printing or saving a note is a disclosure path: a Part 2 note goes out only under
    the participant's Part 2 consent for treatment, payment and operations. Without one the
    export is refused (`withheld`, audited as `notes.part2_withheld`) and no read is recorded,
    since nothing was shown. The participant's own copy has its own page (`get_own_signed_note`).
    """
    note, _ = get_note_for_user(user, code, export=True, read=False)
    consent = None
    if note.part2:
        consent = consent_queries.in_force(note.participant, ConsentKind.PART2_TPO)
        if not disclosure.covers_part2(consent, note.participant):
            record(
                "notes.part2_withheld",
                acting_user=user,
                participant=note.participant,
                target=note,
                outcome="denied",
                details={"note": str(note.code), "format": "pdf"},
            )
            return NoteExport(note, withheld=True)
    record_read(
        "notes.note_exported",
        acting_user=user,
        participant=note.participant,
        target=note,
        details={"format": "pdf", "part2": True} if note.part2 else {"format": "pdf"},
    )
    return NoteExport(note, consent=consent)


def get_note_to_amend(user: User, code: uuid.UUID | str) -> Note:
    """A note to add an addendum to: clinical staff who may write the chart, even when it is
    discharged (45 CFR 164.526: later changes are amendments, and the chart stays amendable)."""
    note, _ = get_note_for_user(user, code, write=True, allow_discharged=True)
    if not is_clinical_staff(user):
        raise PermissionDenied
    return note


def get_draft_for_author(user: User, code: uuid.UUID | str, *, read: bool = False) -> Note:
    """A note to edit: its author only, while they may still write the chart. A signed note is
    returned too: the caller answers it with "signed notes are locked" (409)."""
    note, _ = get_note_for_user(user, code, write=True, read=read)
    if note.author_id != user.pk:
        raise PermissionDenied
    return note


def get_chart_for_notes(
    user: User,
    code: uuid.UUID | str,
    *,
    write: bool = False,
    read: bool | None = None,
    read_event: str = "notes.note_list_viewed",
) -> Granted[Participant]:
    """A chart's notes: the list (records `notes.note_list_viewed`), or with `write=True` a new
    note without a session, which also asks that the user writes notes at all (clinical
    staff)."""
    _staff_only(user)
    granted = get_participant_for_user(user, code, write=write, read=False)
    if write and not is_clinical_staff(user):
        raise PermissionDenied
    if read is None:
        read = not write
    if read:
        record_read(read_event, acting_user=user, participant=granted.row)
    return granted


def get_chart_to_disclose(user: User, code: uuid.UUID | str, *, read: bool) -> Participant:
    """A chart to send records from under a release: staff who may write the chart (the page
    that lists its releases records one `consent.disclosures_viewed` read when `read`)."""
    _staff_only(user)
    participant, _ = get_participant_for_user(user, code, write=True, read=False)
    if read:
        record_read("consent.disclosures_viewed", acting_user=user, participant=participant)
    return participant


def get_session_to_document(
    user: User,
    code: uuid.UUID | str,
    participant_code: uuid.UUID | str | None,
    *,
    read: bool,
) -> tuple[Session, Participant]:
    """An individual, family or psychiatry session and one participant booked into it, for
    the session's own clinician to write that participant's note.

    404: the session does not exist, is a group session (group notes document those), the
    user cannot see it, or the participant is not booked into it. 403: someone else's
    appointment the user may see (a director). Then the chart's own rules, for writing.
    `participant_code` may be left out when exactly one participant is booked.
    """
    _staff_only(user)
    session, _ = scheduling_access.get_session_for_user(user, code)
    if session.kind == Session.Kind.GROUP:
        raise Http404
    if session.clinician_id != user.pk or not is_clinical_staff(user):
        raise PermissionDenied
    bookings = session.bookings.filter(status=Booking.Status.BOOKED).select_related(
        "participant__program"
    )
    if participant_code:
        try:
            booking = bookings.get(participant__code=participant_code)
        except (Booking.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc
    else:
        found = list(bookings[:2])
        if len(found) != 1:
            raise Http404
        booking = found[0]
    check_access(user, booking.participant, write=True, read=read)
    return session, booking.participant


def own_signed_notes(user: User) -> QuerySet[Note]:
    """The signed-in participant's own signed notes (HIPAA right of access, CLINICAL.md §6.2:
    progress notes are part of the designated record set). Drafts are never shown."""
    participant = own_chart(user)
    return Note.objects.filter(participant=participant, status=Note.Status.SIGNED)


def get_own_signed_note(user: User, code: uuid.UUID | str) -> Note:
    """One of the participant's own signed notes; a draft or anyone else's is 404. Their own
    pages record no read (docs/permissions.md)."""
    try:
        return (
            own_signed_notes(user)
            .select_related("participant__program", "author", "signed_by", "cosigned_by")
            .get(code=code)
        )
    except (Note.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
