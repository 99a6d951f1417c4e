"""The demo's progress stories: weekly PHQ-9 and GAD-7 histories made through the real actions,
so "Measures and progress" and "My progress" have something to show.

Three participants without scores yet (in a group for five weeks or more where possible): two
improve (one to remission), one gets reliably worse. The weeks before this one are written as
the submitted responses they would have been (scored by the real scoring; a submitted response
cannot be changed afterwards, so it cannot be dated back); this week's score goes through the
real actions, so the reliable deterioration raises its alert for the care team as it would live.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import actions
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.assessments.scoring import score
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.scheduling.models import Enrollment

CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]  # item scores 0–3

# Weekly totals, oldest first, the last this week.
STORIES = [
    {"phq-9": [19, 17, 14, 12, 9, 7], "gad-7": [15, 13, 11, 8, 6, 4]},  # improves, remits
    {"phq-9": [16, 15, 13, 11, 10], "gad-7": [12, 11, 9, 8, 7]},  # improves, slowly
    {"phq-9": [9, 10, 12, 14, 16], "gad-7": [8, 9, 11, 12, 13]},  # reliably worse
]
ITEMS = {"phq-9": 9, "gad-7": 7}


def answers_for(key: str, total: int) -> dict[str, str]:
    """Answers adding up to `total`; PHQ-9 item 9 stays "Not at all" (no safety alert)."""
    scored = ITEMS[key] - 1 if key == "phq-9" else ITEMS[key]
    answers = {str(n): CODES[0] for n in range(1, ITEMS[key] + 1)}
    left = total
    for item in range(1, scored + 1):
        step = min(3, left)
        answers[str(item)] = CODES[step]
        left -= step
    assert left == 0, (key, total)
    return answers


@transaction.atomic
def load_progress_demo(program: Program) -> list[Participant]:
    clinician = User.objects.filter(
        program_memberships__program=program, role=User.Role.CLINICIAN
    ).first()
    if clinician is None:
        return []
    now = timezone.now()
    # Someone in a group for five weeks or more shows attendance under the chart; the
    # measurement-schedule demo has already given most of them scores, so anyone else without
    # scores (an ended stay, the waitlist) will do after them.
    seated = Enrollment.objects.filter(
        group__track__program=program,
        status=Enrollment.Status.SEATED,
        starts_on__lte=(now - timedelta(weeks=5)).date(),
        participant=OuterRef("pk"),
    )
    people: list[Participant] = list(
        Participant.objects.filter(program=program, user__isnull=False, discharged_at__isnull=True)
        .exclude(responses__isnull=False)
        .annotate(seated=Exists(seated))
        .order_by("-seated", "id")[: len(STORIES)]
    )
    instruments = {key: actions.shipped_instrument(key) for key in ITEMS}
    for participant, story in zip(people, STORIES, strict=False):
        assert participant.user is not None
        for key, totals in story.items():
            for weeks_ago, total in zip(range(len(totals) - 1, 0, -1), totals, strict=False):
                _past_response(
                    participant, instruments[key], total, now - timedelta(weeks=weeks_ago)
                )
            assignment = actions.assign_instrument(
                participant, instruments[key], acting_user=clinician
            )
            actions.answer(
                assignment,
                answers_for(key, totals[-1]),
                intent=actions.Intent.SUBMIT,
                acting_user=participant.user,
                source="participant",
            )
    return people


def _past_response(
    participant: Participant, instrument: InstrumentDefinition, total: int, at: datetime
) -> Response:
    assert participant.user is not None
    answers = answers_for(instrument.key, total)
    result = score(instrument.definition, answers)
    assignment = Assignment.objects.create(
        participant=participant,
        instrument=instrument,
        assigned_by=participant.user,
        status=Assignment.Status.COMPLETED,
        completed_at=at,
    )
    return Response.objects.create(
        assignment=assignment,
        participant=participant,
        instrument=instrument,
        status=Response.Status.SUBMITTED,
        source=Response.Source.PARTICIPANT,
        answers=answers,
        started_by=participant.user,
        submitted_by=participant.user,
        submitted_at=at,
        complete=result.complete,
        scores={
            k: {
                "label": v.label,
                "value": v.value,
                "band": v.band.code if v.band else None,
                "band_label": v.band.label if v.band else None,
                "low": v.low,
                "high": v.high,
            }
            for k, v in result.scores.items()
        },
        findings=dict(result.findings),
    )
