"""Reads of session feedback: who attended a session, the flags before a session, trends.

Every function asks a fixed number of queries however many rows there are.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek

from openiop.feedback.models import SessionCheckIn
from openiop.scheduling.models import Booking, Session
from openiop.telehealth.models import Attendance

ATTENDED = (Booking.Attendance.PRESENT, Booking.Attendance.LATE, Booking.Attendance.LEFT_EARLY)
NOT_ATTENDED = (Booking.Attendance.ABSENT, Booking.Attendance.EXCUSED)


def attended_bookings(sessions: QuerySet[Session]) -> QuerySet[Booking]:
    """Bookings of people who attended: attendance recorded as present, late or left early, or
    admitted to the session's video room (when nobody recorded them absent or excused; a
    video admission with 0 minutes after correction does not count)."""
    admitted = Attendance.objects.filter(
        session_code=OuterRef("session__code"),
        participant_id=OuterRef("participant_id"),
        admitted_at__isnull=False,
    ).exclude(Q(corrected_minutes=0) | Q(corrected_minutes__isnull=True, minutes_attended=0))
    return (
        Booking.objects.filter(session__in=sessions, status=Booking.Status.BOOKED)
        .filter(Q(attendance__in=ATTENDED) | (Q(attendance="") & Exists(admitted)))
        .exclude(attendance__in=NOT_ATTENDED)
    )


# Flags before a session ----------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    participant: Any
    check_in: SessionCheckIn

    @property
    def reasons(self) -> list[str]:
        """Plain words for the facilitator: which rule fired, never what was answered."""
        words = {
            "item": "an item scored low",
            "overall": "the overall item scored low",
            "total": "the total is below the program's cut-off",
        }
        said = [words[r] for r in self.check_in.low_reasons if r in words]
        if self.check_in.falling and self.check_in.change is not None:
            said.append(f"the total fell {-self.check_in.change} points since the check-in before")
        return said


def _latest_answered_before(moment_ref: Any) -> QuerySet[SessionCheckIn]:
    return SessionCheckIn.objects.filter(
        participant_id=OuterRef("participant_id"),
        status=SessionCheckIn.Status.ANSWERED,
        session__ends_at__lte=moment_ref,
    ).order_by("-session__starts_at", "-id")


def flags_for_sessions(sessions: list[Session]) -> dict[int, list[Flag]]:
    """For each session, its booked participants whose latest answered check-in (about a
    session that ended before this one starts) was low or falling. Two queries."""
    if not sessions:
        return {}
    latest = _latest_answered_before(OuterRef("session__starts_at"))
    bookings = (
        Booking.objects.filter(session__in=[s.pk for s in sessions], status=Booking.Status.BOOKED)
        .annotate(check_in_id=Subquery(latest.values("pk")[:1]))
        .filter(check_in_id__isnull=False)
        .select_related("participant")
    )
    rows = list(bookings)
    check_ins = {
        c.pk: c
        for c in SessionCheckIn.objects.filter(
            pk__in=[b.check_in_id for b in rows]  # type: ignore[attr-defined]
        )
        .filter(Q(low=True) | Q(falling=True))
        .select_related("session", "session__group")
    }
    result: dict[int, list[Flag]] = {s.pk: [] for s in sessions}
    for booking in sorted(rows, key=lambda b: (b.participant.family_name, b.participant.pk)):
        check_in = check_ins.get(booking.check_in_id)  # type: ignore[attr-defined]
        if check_in is not None:
            result[booking.session_id].append(Flag(booking.participant, check_in))
    return result


def flag_counts(session_ids: list[int]) -> dict[int, int]:
    """How many booked participants of each session carry a flag into it. One query."""
    if not session_ids:
        return {}
    latest = _latest_answered_before(OuterRef("session__starts_at"))
    # The latest answered check-in must itself be flagged: a newer good one clears the flag.
    rows = (
        Booking.objects.filter(session_id__in=session_ids, status=Booking.Status.BOOKED)
        .annotate(
            latest_low=Subquery(latest.values("low")[:1]),
            latest_falling=Subquery(latest.values("falling")[:1]),
        )
        .filter(Q(latest_low=True) | Q(latest_falling=True))
        .values("session_id")
        .annotate(n=Count("pk"))
    )
    return {row["session_id"]: row["n"] for row in rows}


# Trends --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendRow:
    key: Any
    label: str
    week: datetime
    answered: int
    average: float | None
    low: int
    falling: int


def _weekly(check_ins: QuerySet[SessionCheckIn], key: str) -> QuerySet[Any]:
    return (
        check_ins.filter(status=SessionCheckIn.Status.ANSWERED, total__isnull=False)
        .annotate(week=TruncWeek("session__starts_at"))
        .values(key, "week")
        .annotate(
            answered=Count("pk"),
            average=Avg("total"),
            low_count=Count("pk", filter=Q(low=True)),
            falling_count=Count("pk", filter=Q(falling=True)),
        )
        .order_by(key, "week")
    )


def weekly_by_group(check_ins: QuerySet[SessionCheckIn]) -> list[dict[str, Any]]:
    """Per group and week: answered check-ins, average total, low and falling counts. One
    query; individual sessions are one row per week under no group."""
    return list(_weekly(check_ins, "session__group_id"))


def weekly_by_clinician(check_ins: QuerySet[SessionCheckIn]) -> list[dict[str, Any]]:
    """Per clinician and week: an appointment counts for its clinician, a group session for
    each of the group's (current) facilitators. Two queries, merged here."""
    appointments = _weekly(check_ins.filter(session__group__isnull=True), "session__clinician_id")
    groups = _weekly(
        check_ins.filter(session__group__isnull=False),
        "session__group__facilitator_roles__clinician_id",
    )
    merged: dict[tuple[int, datetime], dict[str, Any]] = {}
    for row in [{**r, "clinician_id": r["session__clinician_id"]} for r in appointments] + [
        {**r, "clinician_id": r["session__group__facilitator_roles__clinician_id"]} for r in groups
    ]:
        if row["clinician_id"] is None:
            continue
        key = (row["clinician_id"], row["week"])
        if key in merged:
            before = merged[key]
            answered = before["answered"] + row["answered"]
            before["average"] = (
                before["average"] * before["answered"] + row["average"] * row["answered"]
            ) / answered
            before["answered"] = answered
            before["low_count"] += row["low_count"]
            before["falling_count"] += row["falling_count"]
        else:
            merged[key] = {
                k: row[k]
                for k in (
                    "clinician_id",
                    "week",
                    "answered",
                    "average",
                    "low_count",
                    "falling_count",
                )
            }
    return sorted(merged.values(), key=lambda r: (r["clinician_id"], r["week"]))
