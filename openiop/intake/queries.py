"""Reads across intake's rows for pages that show several charts at once."""

from collections.abc import Iterable

from openiop.intake.models import EpisodeOfCare, Referral
from openiop.participants.models import Participant

OPEN_STAGES = (
    Referral.Stage.SCREENING,
    Referral.Stage.ASSESSMENT,
    Referral.Stage.DECISION,
    Referral.Stage.ADMISSION,
    Referral.Stage.WAITLISTED,
)


def chart_statuses(participants: Iterable[Participant]) -> dict[int, str]:
    """A short status per chart, in two queries: admitted, in intake, discharged or none."""
    charts = {p.pk: p for p in participants}
    active = set(
        EpisodeOfCare.objects.filter(
            participant_id__in=charts, status=EpisodeOfCare.Status.ACTIVE
        ).values_list("participant_id", flat=True)
    )
    stages = dict(
        Referral.objects.filter(participant_id__in=charts, stage__in=OPEN_STAGES)
        .order_by("participant_id", "created_at")
        .values_list("participant_id", "stage")
    )
    statuses = {}
    for pk, chart in charts.items():
        if pk in active:
            statuses[pk] = "Admitted"
        elif pk in stages:
            statuses[pk] = f"In intake ({Referral.Stage(stages[pk]).label.lower()})"
        elif chart.discharged_at is not None:
            statuses[pk] = "Discharged"
        else:
            statuses[pk] = "No open referral or episode"
    return statuses


def busy_in_program(participants: Iterable[Participant], program_id: int) -> set[int]:
    """Charts that cannot take a new referral to the program: one is open, or they are
    admitted there (one query each)."""
    pks = [p.pk for p in participants]
    busy = set(
        Referral.objects.filter(
            participant_id__in=pks, program_id=program_id, stage__in=OPEN_STAGES
        ).values_list("participant_id", flat=True)
    )
    busy |= set(
        EpisodeOfCare.objects.filter(
            participant_id__in=pks, program_id=program_id, status=EpisodeOfCare.Status.ACTIVE
        ).values_list("participant_id", flat=True)
    )
    return busy
