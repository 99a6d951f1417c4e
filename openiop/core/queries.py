"""Reads that gather several apps' rows for one page part: the chart banner.

The banner reads intake (status, level of care), participants (primary clinician), safety
(open alerts) and scheduling (next session, this week's hours), so it lives in core, above
them all. `chart_banner` runs BANNER_QUERIES queries whatever the chart holds (one fewer for a
chart outside any program, which has no week to count).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max

from openiop.accounts.models import User
from openiop.intake.models import EpisodeOfCare, Level, Referral
from openiop.intake.queries import OPEN_STAGES
from openiop.lib.hours import WeekLedger
from openiop.lib.recurrence import get_zone
from openiop.participants.models import CareTeamMember, Participant
from openiop.safety.models import Acuity, SafetyAlert
from openiop.scheduling import queries as scheduling
from openiop.scheduling.models import Booking, Session

# The participant (with program and portal account), the primary clinician, the active
# episode, the open referral, the open alerts, the next session and this week's bookings.
BANNER_QUERIES = 7


@dataclass(frozen=True)
class ChartBanner:
    participant: Participant
    age: int
    status: str
    # Hours "at risk" mean something only for someone admitted (not waitlisted or in intake).
    admitted: bool
    level_of_care: str
    primary_clinician: User | None
    open_alerts: int
    top_acuity: str
    next_session: Session | None
    hours: WeekLedger | None


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def chart_banner(participant_id: int, *, now: datetime, zone: str) -> ChartBanner:
    """What staff should see on every page of one chart, in BANNER_QUERIES queries.

    `zone` is the viewer's: the age is counted on the viewer's day. The week of the hours
    is the program's (Monday to Sunday in its zone), as on the ledger.
    """
    participant = Participant.objects.select_related("program").get(pk=participant_id)
    primary = (
        CareTeamMember.objects.filter(
            participant=participant, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        )
        .select_related("clinician")
        .order_by("added_at", "id")
        .first()
    )
    episode = (
        EpisodeOfCare.objects.filter(participant=participant, status=EpisodeOfCare.Status.ACTIVE)
        .order_by("-admitted_at")
        .first()
    )
    stage = (
        Referral.objects.filter(participant=participant, stage__in=OPEN_STAGES)
        .order_by("-created_at")
        .values_list("stage", flat=True)
        .first()
    )
    alerts = SafetyAlert.objects.filter(
        participant=participant, status=SafetyAlert.Status.OPEN
    ).aggregate(count=Count("id"), top=Max("acuity"))
    booking = (
        Booking.objects.filter(
            participant=participant,
            status=Booking.Status.BOOKED,
            session__status=Session.Status.SCHEDULED,
            session__starts_at__gte=now,
        )
        .select_related("session", "session__group")
        .order_by("session__starts_at")
        .first()
    )
    program = participant.program
    hours = None
    if program is not None:
        # A chart outside any program (rare: an old or imported record) has no week to count
        # and saves this query.
        hours = scheduling.ledger(
            participant, now.astimezone(get_zone(program.timezone)).date(), now=now
        )

    if episode is not None:
        status = "Admitted"
    elif stage is not None:
        status = f"In intake ({Referral.Stage(stage).label.lower()})"
    elif participant.discharged_at is not None:
        status = "Discharged"
    else:
        status = "No open referral or episode"
    return ChartBanner(
        participant=participant,
        age=age_on(participant.date_of_birth, now.astimezone(get_zone(zone)).date()),
        status=status,
        admitted=episode is not None,
        level_of_care=Level(episode.level_of_care).label if episode else "",
        primary_clinician=primary.clinician if primary else None,
        open_alerts=alerts["count"],
        top_acuity=Acuity(alerts["top"]).label if alerts["top"] else "",
        next_session=booking.session if booking else None,
        hours=hours,
    )
