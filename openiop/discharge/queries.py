"""What a discharge summary reads from the rest of the record. Nothing here writes.

The computed parts of a summary are snapshots: taken when the draft starts (or is refreshed)
and stored, so a signed summary keeps saying what it said when it was signed.
"""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from openiop.assessments.models import Response
from openiop.careplans.models import Diagnosis, Medication
from openiop.intake.models import EpisodeOfCare
from openiop.lib.recurrence import get_zone
from openiop.participants.models import Participant
from openiop.scheduling.models import Booking, Session
from openiop.telehealth.models import Room

ATTENDED = (
    Booking.Attendance.PRESENT,
    Booking.Attendance.LATE,
    Booking.Attendance.LEFT_EARLY,
)
KIND_LABELS = {
    Session.Kind.GROUP: "Group sessions",
    Session.Kind.INDIVIDUAL: "Individual sessions",
    Session.Kind.FAMILY: "Family sessions",
    Session.Kind.PSYCHIATRY: "Psychiatry sessions",
}


def services_received(
    participant: Participant, episode: EpisodeOfCare, *, now: datetime | None = None
) -> dict[str, Any]:
    """Sessions attended since admission, by kind, with minutes (from recorded attendance).

    Past sessions whose attendance nobody recorded yet are counted apart (`unrecorded`), so a
    late roster shows as a gap rather than as hours that never happened.
    """
    now = now or timezone.now()
    in_stay = Booking.objects.filter(
        participant=participant,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gte=episode.admitted_at,
        session__starts_at__lte=now,
    )
    rows = (
        in_stay.filter(attendance__in=ATTENDED)
        .values("session__kind")
        .annotate(sessions=Count("pk"), minutes=Sum("minutes_attended"))
    )
    by_kind = {row["session__kind"]: row for row in rows}
    kinds = [
        {
            "kind": kind.value,
            "label": KIND_LABELS[kind],
            "sessions": by_kind[kind]["sessions"],
            "minutes": by_kind[kind]["minutes"] or 0,
        }
        for kind in Session.Kind
        if kind in by_kind
    ]
    missed = in_stay.aggregate(
        absent=Count("pk", filter=Q(attendance__in=["absent", "excused"])),
        unrecorded=Count(
            "pk",
            filter=Q(attendance="", status=Booking.Status.BOOKED, session__ends_at__lte=now),
        ),
    )
    return {
        "kinds": kinds,
        "total_sessions": sum(k["sessions"] for k in kinds),
        "total_minutes": sum(k["minutes"] for k in kinds),
        "absent": missed["absent"],
        "unrecorded": missed["unrecorded"],
    }


def _main_score(scores: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The instrument's total if it has one, else its first score."""
    if "total" in scores:
        return "total", scores["total"]
    for key, value in scores.items():
        return key, value
    return None


def score_changes(participant: Participant, episode: EpisodeOfCare) -> list[dict[str, Any]]:
    """Per validated instrument: the first and last score of the stay and the change.

    The stay starts at the referral, so the intake scores are the baseline. A corrected
    response counts as its correction. No reliable-change classification yet: OpenIOP has no
    reliable change index code (CLINICAL.md §3.1 gives the formula) to classify with.
    """
    responses = (
        Response.objects.filter(
            participant=participant,
            status=Response.Status.SUBMITTED,
            replaced_by__isnull=True,
            instrument__validated=True,
            submitted_at__gte=episode.referral.created_at,
        )
        .select_related("instrument")
        .order_by("submitted_at", "id")
    )
    found: dict[str, list[tuple[Response, str, dict[str, Any]]]] = {}
    for response in responses:
        main = _main_score(response.scores)
        if main is None or main[1].get("value") is None:
            continue
        found.setdefault(response.instrument.key, []).append((response, *main))
    rows = []
    for key, series in sorted(found.items()):
        (first, _, first_score), (last, _, last_score) = series[0], series[-1]
        assert first.submitted_at is not None and last.submitted_at is not None
        zone = get_zone(participant.timezone)
        rows.append(
            {
                "instrument": key,
                "title": last.instrument.title,
                "label": last_score.get("label", ""),
                "count": len(series),
                "first": first_score["value"],
                "first_band": first_score.get("band_label") or "",
                "first_on": first.submitted_at.astimezone(zone).date().isoformat(),
                "last": last_score["value"],
                "last_band": last_score.get("band_label") or "",
                "last_on": last.submitted_at.astimezone(zone).date().isoformat(),
                "change": last_score["value"] - first_score["value"] if len(series) > 1 else None,
            }
        )
    return rows


def current_diagnoses(participant: Participant) -> list[dict[str, str]]:
    rows = Diagnosis.objects.filter(
        participant=participant,
        status__in=[Diagnosis.Status.ACTIVE, Diagnosis.Status.IN_REMISSION],
    ).order_by("rank", "icd10_code", "id")
    return [
        {
            "icd10_code": d.icd10_code,
            "description": d.description,
            "rank": d.get_rank_display(),
            "status": d.get_status_display(),
        }
        for d in rows
    ]


def current_medications_text(participant: Participant) -> str:
    """One line per current medication: "Sertraline — 100 mg by mouth daily (Dr. Chen)"."""
    lines = []
    for medication in Medication.objects.filter(participant=participant, stopped_on__isnull=True):
        line = f"{medication.name} — {medication.dose}"
        if medication.prescriber:
            line += f" (prescribed by {medication.prescriber})"
        lines.append(line)
    return "\n".join(lines)


def sessions_under_way(participant: Participant, *, now: datetime | None = None) -> bool:
    """True while one of the participant's sessions is going on: between its start and end,
    or with its video room still open (a room outlives a session that runs over)."""
    now = now or timezone.now()
    booked = Session.objects.filter(
        bookings__participant=participant,
        bookings__status=Booking.Status.BOOKED,
        status=Session.Status.SCHEDULED,
    )
    if booked.filter(starts_at__lte=now, ends_at__gt=now).exists():
        return True
    return Room.objects.filter(
        status=Room.Status.OPEN, session_code__in=booked.values("code")
    ).exists()
