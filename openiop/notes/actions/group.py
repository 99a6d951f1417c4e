"""Group notes and attendance together (CLINICAL.md §5.2).

The facilitator's one pass over a group session is a `GroupNote` draft: the shared part and,
per booked participant, a `GroupNoteEntry` (attendance, minutes, their individual part and
objectives). Saving it records the attendance through the scheduling engine's own action, so
the hours ledger follows. Signing it fans out: each attendee who came gets their own signed
`Note` with the shared part and only their own individual part; absentees get no note (their
attendance is on their booking). The group note is then locked; later changes are addenda to
an attendee's note.

Lock order: the session row first (it serialises writers of its group note), then bookings
(`record_attendance`), then `audit.record` last.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans.models import Objective
from openiop.lib.integrity import content_hash
from openiop.notes import group_checks, group_queries
from openiop.notes.labels import note_is_part2
from openiop.notes.models import GroupNote, GroupNoteEntry, Note
from openiop.notes.rules import needs_cosignature
from openiop.programs.models import CurriculumTopic, GroupFacilitator
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Booking, Session


class GroupNoteError(Exception):
    """A request the group note cannot take; `str(error)` is a message for the person asking."""


class GroupNoteConflict(GroupNoteError):
    """Someone saved the group note since this writer's copy was loaded."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            "Someone else saved this group note while you were writing. Your text is still "
            "here and has not been saved: compare it with the saved version, then save again "
            "to replace it."
        )
        self.current_version = current_version


class GroupNoteSigned(GroupNoteError):
    def __init__(self, group_note: GroupNote) -> None:
        super().__init__(
            "This group note is already signed, so it can no longer change: add an addendum "
            "to an attendee's note instead."
        )
        self.group_note = group_note


class GroupNoteNotReady(GroupNoteError):
    """The checks before signing found something; `flags` says what."""

    def __init__(self, flags: list[group_checks.Flag]) -> None:
        count = len(flags)
        super().__init__(
            f"Not signed: {count} check{'s' if count != 1 else ''} before signing "
            f"{'need' if count != 1 else 'needs'} your attention."
        )
        self.flags = flags


@dataclass
class SharedPart:
    topic: str = ""
    curriculum_module: CurriculumTopic | None = None
    interventions: str = ""
    shared_text: str = ""


@dataclass
class AttendeePart:
    booking: Booking
    attendance: str = ""
    absence_reason: str = ""
    minutes: int | None = None
    individual_text: str = ""
    objectives: list[Objective] = field(default_factory=list)


def _locked_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("group", "program")
        .get(pk=session.pk)
    )


def _minutes(attendance: str, minutes: int | None, session: Session) -> int | None:
    """What the booking will hold: absences count 0, a plain "present" the whole session."""
    if attendance in group_checks.ABSENT:
        return 0
    if attendance == Booking.Attendance.PRESENT and minutes is None:
        return session.minutes
    return minutes


def _record_attendance(
    session: Session, entries: list[GroupNoteEntry], *, acting_user: User
) -> int:
    """Write each marked entry's attendance to its booking, where it differs; how many."""
    if session.is_cancelled or session.starts_at > timezone.now():
        return 0
    bookings = {b.participant_id: b for b in session.bookings.filter(status=Booking.Status.BOOKED)}
    recorded = 0
    for entry in entries:
        booking = bookings.get(entry.participant_id)
        if booking is None or not entry.attendance:
            continue
        if (booking.attendance, booking.minutes_attended) == (entry.attendance, entry.minutes):
            continue
        scheduling.record_attendance(
            booking, attendance=entry.attendance, minutes=entry.minutes, acting_user=acting_user
        )
        recorded += 1
    return recorded


@dataclass
class Saved:
    group_note: GroupNote
    attendance_recorded: int
    # False when the session has not started (or was cancelled): attendance waits.
    attendance_open: bool


@transaction.atomic
def save_group_note(
    session: Session,
    *,
    shared: SharedPart,
    attendees: list[AttendeePart],
    version: int,
    acting_user: User,
    autosave: bool = False,
) -> Saved:
    """Save the draft (creating it on the first save, `version` 0) and, unless this is an
    autosave, record the attendance it marks once the session has started.

    `version` is the `edit_version` the writer loaded; a different one on the row raises
    GroupNoteConflict and saves nothing.
    """
    session = _locked_session(session)
    group_note = GroupNote.objects.filter(session=session).first()
    if group_note is not None and group_note.status == GroupNote.Status.SIGNED:
        raise GroupNoteSigned(group_note)
    current = group_note.edit_version if group_note is not None else 0
    if version != current:
        raise GroupNoteConflict(current)
    now = timezone.now()
    if group_note is None:
        group_note = GroupNote(session=session, author=acting_user, edit_version=0)
    group_note.topic = shared.topic
    group_note.curriculum_module = shared.curriculum_module
    group_note.interventions = shared.interventions
    group_note.shared_text = shared.shared_text
    group_note.edit_version += 1
    if autosave:
        group_note.autosaved_at = now
    group_note.save()

    existing = {e.participant_id: e for e in group_note.entries.all()}
    entries = []
    for part in attendees:
        participant_id = part.booking.participant_id
        entry = existing.get(participant_id) or GroupNoteEntry(
            group_note=group_note, participant_id=participant_id
        )
        entry.attendance = part.attendance
        entry.absence_reason = part.absence_reason if part.attendance in group_checks.ABSENT else ""
        entry.minutes = (
            _minutes(part.attendance, part.minutes, session) if part.attendance else None
        )
        entry.individual_text = part.individual_text
        entry.save()
        entry.objectives.set(part.objectives)
        entries.append(entry)

    open_for_attendance = not session.is_cancelled and session.starts_at <= now
    recorded = 0 if autosave else _record_attendance(session, entries, acting_user=acting_user)
    record(
        "notes.group_note_autosaved" if autosave else "notes.group_note_saved",
        acting_user=acting_user,
        target=group_note,
        details={
            "group_note": str(group_note.code),
            "session": str(session.code),
            "version": group_note.edit_version,
            "attendees": len(entries),
        },
    )
    return Saved(group_note, recorded, open_for_attendance)


def _facilitators_line(session: Session) -> str:
    roles = GroupFacilitator.objects.filter(group=session.group).select_related("clinician")
    order = {GroupFacilitator.Role.LEAD.value: 0, GroupFacilitator.Role.CO_FACILITATOR.value: 1}
    people = sorted(roles, key=lambda r: (order.get(r.role, 2), r.clinician.family_name))
    return "; ".join(f"{r.clinician.display_name} ({r.get_role_display().lower()})" for r in people)


def compose_shared_part(group_note: GroupNote, *, facilitators: str = "") -> str:
    """The shared part as each attendee's note holds it: the group-level section of §5.2."""
    lines = []
    if group_note.topic:
        lines.append(f"Topic: {group_note.topic}")
    if group_note.curriculum_module is not None:
        lines.append(f"Curriculum module: {group_note.curriculum_module.title}")
    if facilitators:
        lines.append(f"Facilitators: {facilitators}")
    if group_note.interventions:
        lines.append(f"Interventions: {group_note.interventions}")
    head = "\n".join(lines)
    return "\n\n".join(part for part in (head, group_note.shared_text.strip()) if part)


def _times(session: Session, entry: GroupNoteEntry) -> tuple:
    """Start and stop of one attendee's time in the group: a late arrival's minutes end with
    the session, anyone else's start with it."""
    minutes = timedelta(minutes=entry.minutes or 0)
    if entry.attendance == Booking.Attendance.LATE:
        return session.ends_at - minutes, session.ends_at
    return session.starts_at, session.starts_at + minutes


@dataclass
class Signed:
    group_note: GroupNote
    notes: list[Note]
    absent: int


@transaction.atomic
def sign_group_note(
    group_note: GroupNote, *, acting_user: User, confirm_no_objective: bool = False
) -> Signed:
    """Sign the group note: one signed `Note` per attendee who came, in one transaction.

    Raises GroupNoteSigned if it was signed already, GroupNoteNotReady with the flags if the
    checks before signing found anything (`confirm_no_objective` accepts the one kind of flag
    a signer may confirm: an individual part that cites no objective of the plan).
    """
    session = _locked_session(group_note.session)
    group_note = GroupNote.objects.select_related("curriculum_module").get(pk=group_note.pk)
    if group_note.status == GroupNote.Status.SIGNED:
        raise GroupNoteSigned(group_note)
    now = timezone.now()
    if session.is_cancelled:
        raise GroupNoteError("The session was cancelled: there is nothing to sign.")
    if session.starts_at > now:
        raise GroupNoteError("A group note can be signed once the session has started.")

    bookings = group_queries.roster(session)
    entries = group_queries.entries_by_participant(group_note)
    objectives = group_queries.plan_objectives(b.participant_id for b in bookings)
    flags = group_queries.checks(group_note, bookings, entries, objectives)
    stopping = group_checks.blocking(flags, confirmed=confirm_no_objective)
    if stopping:
        raise GroupNoteNotReady(stopping)
    confirmed = len(flags)

    on_roster = [entries[b.participant_id] for b in bookings]
    _record_attendance(session, on_roster, acting_user=acting_user)
    attended = [e for e in on_roster if e.attendance in group_checks.ATTENDED]
    taken = set(
        Note.objects.filter(
            session=session, participant_id__in=[e.participant_id for e in attended]
        ).values_list("participant_id", flat=True)
    )
    if taken:
        raise GroupNoteError(
            "An attendee already has a note of this session; add to it with an addendum."
        )

    shared_text = compose_shared_part(group_note, facilitators=_facilitators_line(session))
    suggestions = group_queries.video_suggestions(session)
    participants = {b.participant_id: b.participant for b in bookings}
    cosign = needs_cosignature(acting_user, session.program)
    notes = []
    for entry in attended:
        started_at, ended_at = _times(session, entry)
        video = suggestions.get(entry.participant_id)
        notes.append(
            Note(
                participant=participants[entry.participant_id],
                session=session,
                group_note=group_note,
                kind=Note.Kind.GROUP,
                status=Note.Status.SIGNED,
                author=acting_user,
                started_at=started_at,
                ended_at=ended_at,
                telehealth_mode=Note.TelehealthMode.VIDEO,
                participant_location=video.location if video is not None else "",
                shared_text=shared_text,
                individual_text=entry.individual_text,
                signed_by=acting_user,
                signed_at=now,
                cosign_required=cosign,
                part2=note_is_part2(participants[entry.participant_id], session),
            )
        )
    Note.objects.bulk_create(notes)
    through = Note.objectives.through
    links = []
    for note, entry in zip(notes, attended, strict=True):
        chosen = list(entry.objectives.all())
        links += [through(note_id=note.pk, objective_id=o.pk) for o in chosen]
        # signed_content() reads the objectives: hand it the ones just linked.
        note._prefetched_objects_cache = {"objectives": chosen}  # type: ignore[attr-defined]
        note.content_hash = content_hash(note.signed_content())
    through.objects.bulk_create(links)
    Note.objects.bulk_update(notes, ["content_hash"])

    group_note.status = GroupNote.Status.SIGNED
    group_note.signed_at = now
    group_note.signed_by = acting_user
    group_note.save(update_fields=["status", "signed_at", "signed_by", "updated_at"])
    for note in notes:
        record(
            "notes.note_signed",
            acting_user=acting_user,
            participant=note.participant,
            target=note,
            details={
                "note": str(note.code),
                "group_note": str(group_note.code),
                "session": str(session.code),
                "kind": note.kind,
            },
        )
    record(
        "notes.group_note_signed",
        acting_user=acting_user,
        target=group_note,
        details={
            "group_note": str(group_note.code),
            "session": str(session.code),
            "attendees": len(on_roster),
            "notes": len(notes),
            "flags": confirmed,
        },
    )
    return Signed(group_note, notes, absent=len(on_roster) - len(notes))
