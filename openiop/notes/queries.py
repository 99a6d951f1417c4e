"""Reads for progress notes: what a new note starts with, the chart's list, the golden thread.

A new note is pre-filled from what the platform already knows (CLINICAL.md §5.1): the video
session's admission time, minutes and the location the participant gave at the location gate;
this week's questionnaire scores; the current treatment plan's objectives to pick from; and,
for psychiatry, the chart's current medications.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from openiop.accounts.models import User
from openiop.assessments.models import Response
from openiop.careplans.models import Medication, Objective, TreatmentPlan
from openiop.lib.timefmt import as_zone
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.scheduling.models import Booking, Session
from openiop.telehealth import queries as telehealth

# "This week's scores": the latest scored response per instrument in the last seven days.
SCORE_WINDOW = timedelta(days=7)
# How far back the chart's "write a note" page looks for sessions to document.
RECENT_SESSIONS = timedelta(days=30)


def current_plan(participant: Participant) -> TreatmentPlan | None:
    """The plan in effect, else the latest version (a draft or one awaiting signatures)."""
    plans = TreatmentPlan.objects.filter(participant=participant)
    return (
        plans.filter(status=TreatmentPlan.Status.ACTIVE).first()
        or plans.order_by("-created_at", "-number").first()
    )


def objectives_to_pick(participant: Participant, note: Note | None = None) -> QuerySet[Objective]:
    """The current plan's objectives, plus any the note already cites (from an older plan
    version), in the plan's order."""
    plan = current_plan(participant)
    condition = Q(goal__problem__plan=plan) if plan is not None else Q(pk__in=[])
    if note is not None and note.pk is not None:
        condition |= Q(pk__in=note.objectives.values("pk"))
    return (
        Objective.objects.filter(condition)
        .select_related("goal__problem__plan")
        .order_by(
            "goal__problem__plan__number",
            "goal__problem__position",
            "goal__position",
            "position",
            "id",
        )
    )


def this_weeks_scores(participant: Participant, *, now: datetime) -> list[dict[str, Any]]:
    """The latest submitted, scored response of each instrument in the last seven days, as
    the note keeps them: instrument, score label, value, band, the day (participant's zone)."""
    responses = (
        Response.objects.filter(
            participant=participant,
            status=Response.Status.SUBMITTED,
            submitted_at__gte=now - SCORE_WINDOW,
            submitted_at__lte=now,
        )
        # A corrected response is superseded by its correction.
        .filter(~Exists(Response.objects.filter(replaces=OuterRef("pk"))))
        .select_related("instrument")
        .order_by("-submitted_at", "-id")
    )
    zone = as_zone(participant.timezone)
    seen: set[str] = set()
    scores = []
    for response in responses:
        if response.instrument.key in seen or not response.scores:
            continue
        seen.add(response.instrument.key)
        key = "total" if "total" in response.scores else next(iter(response.scores))
        value = response.scores[key]
        assert response.submitted_at is not None
        scores.append(
            {
                "instrument": response.instrument.title,
                "label": value.get("label", ""),
                "value": value.get("value"),
                "band": value.get("band_label") or "",
                "date": response.submitted_at.astimezone(zone).date().isoformat(),
                "response": str(response.code),
            }
        )
    return scores


def scores_for_display(note: Note) -> list[dict[str, Any]]:
    """The note's copied scores with their day as a date (shown with `|day`)."""
    rows = []
    for score in note.scores or []:
        try:
            day: date | None = date.fromisoformat(score.get("date", ""))
        except (TypeError, ValueError):
            day = None
        rows.append({**score, "day": day})
    return rows


def current_medications(participant: Participant, *, today: date) -> str:
    """The chart's current medications, one a line, to start a psychiatry note's review."""
    medications = Medication.objects.filter(participant=participant).filter(
        Q(stopped_on__isnull=True) | Q(stopped_on__gte=today)
    )
    lines = []
    for medication in medications:
        line = f"{medication.name} — {medication.dose}"
        if medication.prescriber:
            line += f" (prescriber: {medication.prescriber})"
        lines.append(line)
    return "\n".join(lines)


def prefill_for_session(session: Session, participant: Participant) -> dict[str, Any]:
    """A new note's times, mode and location: from the video attendance when the participant
    joined the video session, else from the session as scheduled."""
    fields: dict[str, Any] = {
        "started_at": session.starts_at,
        "ended_at": session.ends_at,
        "telehealth_mode": Note.TelehealthMode.VIDEO,
        "participant_location": "",
    }
    attendance = telehealth.video_attendance(session.code, participant)
    if attendance is None:
        return fields
    location = attendance.location.strip()
    if attendance.location_state:
        location = f"{location}, {attendance.location_state}" if location else ""
    fields["participant_location"] = location[:200]
    if attendance.admitted_at is not None:
        started = attendance.admitted_at
        minutes = attendance.final_minutes
        ended = started + timedelta(minutes=minutes) if minutes else session.ends_at
        fields["started_at"] = started
        fields["ended_at"] = ended if ended > started else None
    return fields


def chart_notes(participant: Participant) -> QuerySet[Note]:
    """The chart's note list: newest first, each with its author and objectives, in a fixed
    number of queries whatever the number of notes."""
    return (
        Note.objects.filter(participant=participant)
        .select_related("author", "session")
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.order_by("position", "id"))
        )
        .order_by("-started_at", "-created_at", "-id")
    )


@dataclass(frozen=True)
class SessionToDocument:
    session: Session
    note_code: UUID | None
    note_status: str | None


def sessions_to_document(
    user: User, participant: Participant, *, now: datetime
) -> list[SessionToDocument]:
    """The user's own individual, family and psychiatry sessions with the participant in the
    last 30 days, each with its note if one was started."""
    notes = Note.objects.filter(session=OuterRef("pk"), participant=participant)
    sessions = (
        Session.objects.filter(
            clinician=user,
            status=Session.Status.SCHEDULED,
            starts_at__lte=now,
            starts_at__gte=now - RECENT_SESSIONS,
            bookings__participant=participant,
            bookings__status=Booking.Status.BOOKED,
        )
        .exclude(kind=Session.Kind.GROUP)
        .annotate(
            note_code=Subquery(notes.values("code")[:1]),
            note_status=Subquery(notes.values("status")[:1]),
        )
        .order_by("-starts_at")
    )
    return [
        SessionToDocument(session, session.note_code, session.note_status)  # type: ignore[attr-defined]
        for session in sessions
    ]


def notes_by_objective_lineage(lineages: Any) -> dict[Any, list[Note]]:
    """The golden thread, for careplans.hooks: per objective lineage, the notes that cited an
    objective of that lineage (any plan version), signed and draft, newest first. One query."""
    lineages = list(lineages)
    found: dict[Any, list[Note]] = {lineage: [] for lineage in lineages}
    if not lineages:
        return found
    through = Note.objectives.through
    rows = (
        through.objects.filter(objective__lineage__in=lineages)
        .select_related("note__author", "objective")
        .order_by("-note__started_at", "-note__created_at", "-note__id")
    )
    for row in rows:
        notes = found.setdefault(row.objective.lineage, [])
        if all(note.pk != row.note_id for note in notes):
            notes.append(row.note)
    return found
