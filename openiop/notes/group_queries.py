"""Reads behind the group note page and its signing: the roster, each attendee's plan
objectives, what video attendance suggests, and the checks before signing.

Each function runs a fixed number of queries however many attendees the session has.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from openiop.careplans.models import Objective, TreatmentPlan
from openiop.notes import group_checks
from openiop.notes.models import GroupNote, GroupNoteEntry
from openiop.scheduling.models import Booking, Session
from openiop.telehealth import queries as telehealth

# The labels the checks use for the shared fields (they start the flags' sentences).
SHARED_LABELS = {
    "topic": "The topic",
    "interventions": "The interventions",
    "shared_text": "The shared narrative",
}


def roster(session: Session) -> list[Booking]:
    """The session's booked participants, by name."""
    return list(
        session.bookings.filter(status=Booking.Status.BOOKED)
        .select_related("participant__program")
        .order_by("participant__family_name", "participant__given_name", "pk")
    )


def current_plans(participant_ids: Iterable[int]) -> dict[int, int]:
    """participant id -> id of their current plan: the one in effect, else the latest."""
    chosen: dict[int, tuple[bool, Any, int]] = {}
    rows = TreatmentPlan.objects.filter(participant_id__in=list(participant_ids)).values_list(
        "pk", "participant_id", "status", "created_at"
    )
    for pk, participant_id, status, created_at in rows:
        rank = (status == TreatmentPlan.Status.ACTIVE, created_at, pk)
        if participant_id not in chosen or rank > chosen[participant_id]:
            chosen[participant_id] = rank
    return {participant_id: rank[2] for participant_id, rank in chosen.items()}


def plan_objectives(participant_ids: Iterable[int]) -> dict[int, list[Objective]]:
    """participant id -> the objectives of their current plan (discontinued ones left out),
    in the plan's order. Two queries."""
    plans = current_plans(participant_ids)
    found: dict[int, list[Objective]] = {participant_id: [] for participant_id in plans}
    owner = {plan_id: participant_id for participant_id, plan_id in plans.items()}
    objectives = (
        Objective.objects.filter(goal__problem__plan_id__in=list(owner))
        .exclude(status=Objective.Status.DISCONTINUED)
        .select_related("goal__problem")
        .order_by("goal__problem__position", "goal__position", "position", "pk")
    )
    for objective in objectives:
        found[owner[objective.goal.problem.plan_id]].append(objective)
    return found


@dataclass(frozen=True)
class VideoSuggestion:
    """What the video session counted for one participant."""

    attendance: str
    minutes: int
    location: str


def video_suggestions(session: Session) -> dict[int, VideoSuggestion]:
    """participant id -> attendance and minutes as the video room counted them (a correction
    by staff wins), for those who joined it."""
    suggestions = {}
    for participant_id, video in telehealth.video_attendance_by_participant(session.code).items():
        minutes = video.final_minutes
        if minutes is None:
            continue
        if minutes == 0:
            attendance = Booking.Attendance.ABSENT
        elif video.late:
            attendance = Booking.Attendance.LATE
        elif video.left_early:
            attendance = Booking.Attendance.LEFT_EARLY
        else:
            attendance = Booking.Attendance.PRESENT
        suggestions[participant_id] = VideoSuggestion(
            attendance=attendance, minutes=min(minutes, session.minutes), location=video.location
        )
    return suggestions


def entries_by_participant(group_note: GroupNote | None) -> dict[int, GroupNoteEntry]:
    if group_note is None:
        return {}
    entries = group_note.entries.prefetch_related("objectives")
    return {entry.participant_id: entry for entry in entries}


def members(bookings: Iterable[Booking]) -> list[group_checks.Member]:
    return [
        group_checks.Member(
            key=booking.participant_id,
            label=booking.participant.short_name,
            given_name=booking.participant.given_name,
            family_name=booking.participant.family_name,
            preferred_name=booking.participant.preferred_name,
        )
        for booking in bookings
    ]


def checks(
    group_note: GroupNote,
    bookings: list[Booking],
    entries: dict[int, GroupNoteEntry],
    objectives: dict[int, list[Objective]],
) -> list[group_checks.Flag]:
    """The checks before signing, on the group note as saved."""
    shared = {label: getattr(group_note, name) for name, label in SHARED_LABELS.items()}
    parts = [
        group_checks.Part(
            key=entry.participant_id,
            attendance=entry.attendance,
            individual_text=entry.individual_text,
            absence_reason=entry.absence_reason,
            minutes=entry.minutes,
            objectives=frozenset(o.pk for o in entry.objectives.all()),
            plan_objectives=frozenset(o.pk for o in objectives.get(entry.participant_id, [])),
        )
        for entry in entries.values()
    ]
    return group_checks.check_group_note(shared, members(bookings), parts)
