"""The gate to psychotherapy notes: the author's alone (CLINICAL.md §6.2).

A note is reached only by its author, and only while the author is still a mental-health
professional (`User.is_mental_health_professional`) with access to the participant's chart.
Everyone else, whoever they are (the co-facilitator of the session, the program's director,
the participant, an administrator, another member of the care team), gets 404, as for a note
that does not exist: a 403 would tell them there is one.

The note pages record `notes.psychotherapy_note_viewed` and no chart read; the author's list
of notes for a participant records the chart read it is (a list of dates, no text).
"""

import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.notes.models import PsychotherapyNote
from openiop.participants.access import check_access, participant_access
from openiop.participants.models import Participant
from openiop.programs.access import facilitates
from openiop.scheduling.models import Booking, Session


def may_keep_notes(user: User, participant: Participant) -> bool:
    """A mental-health professional who may open the participant's chart."""
    return (
        user.is_authenticated
        and user.is_mental_health_professional
        and participant_access(user, participant) >= Access.READ
    )


def get_participant_for_author(
    user: User, code: uuid.UUID | str, *, read: bool = False
) -> Participant:
    """The participant behind `code`, for a user who may keep notes about them; else 404.

    `read` records the chart read (`participant.chart_viewed`) for a page that shows it.
    """
    try:
        participant = Participant.objects.select_related("program").get(code=code)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not may_keep_notes(user, participant):
        raise Http404
    if read:
        check_access(user, participant, read=True)
    return participant


def get_note_for_author(
    user: User, code: uuid.UUID | str, *, read: bool
) -> Granted[PsychotherapyNote]:
    """The note behind `code` if `user` wrote it (and may still keep notes); else 404.

    `read` records `notes.psychotherapy_note_viewed`, for a page that shows the text.
    """
    try:
        note = PsychotherapyNote.objects.select_related(
            "participant__program", "session__group"
        ).get(code=code)
    except (PsychotherapyNote.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if note.author_id != user.pk or not may_keep_notes(user, note.participant):
        raise Http404
    if read:
        record_read(
            "notes.psychotherapy_note_viewed",
            acting_user=user,
            participant=note.participant,
            target=note,
        )
    return Granted(note, Access.WRITE)


def notes_by_author(user: User, participant: Participant) -> QuerySet[PsychotherapyNote]:
    """The author's own notes about the participant, newest first (never anyone else's)."""
    return (
        PsychotherapyNote.objects.filter(author=user, participant=participant)
        .select_related("session__group")
        .order_by("-created_at", "-pk")
    )


def session_for_note(user: User, participant: Participant, code: uuid.UUID | str) -> Session | None:
    """A session the note may be attached to: one the participant was booked in and the
    author ran (an appointment's clinician, a facilitator of the group). None otherwise."""
    try:
        session = Session.objects.select_related("group").get(code=code)
    except (Session.DoesNotExist, ValidationError, ValueError, TypeError):
        # The code comes from a query string or a form: anything may be typed there.
        return None
    if not Booking.objects.filter(session=session, participant=participant).exists():
        return None
    ran_it = session.clinician_id == user.pk or (
        session.group is not None and facilitates(user, session.group)
    )
    return session if ran_it else None


def sessions_for_note(user: User, participant: Participant) -> QuerySet[Session]:
    """Sessions of the participant's that the author ran, newest first, for a picker."""
    ran = Q(clinician=user) | Q(group__facilitator_roles__clinician=user)
    return (
        Session.objects.filter(ran, bookings__participant=participant)
        .select_related("group")
        .distinct()
        .order_by("-starts_at")
    )
