"""A small program setup the tests and the authorisation matrix point at."""

from datetime import date, time
from typing import Any

from openiop.programs.models import (
    CurriculumTopic,
    Group,
    GroupFacilitator,
    Program,
    Track,
    TrackBlock,
)


def setup_fixture(case: Any) -> dict[str, Any]:
    """ "own": Dana's program with an evening track (two blocks), one group led by Dr. Alvarez
    with two curriculum modules; "other": the same in a program nobody in the personas directs.
    Built once per test."""
    if hasattr(case, "_setup_fixture"):
        return case._setup_fixture  # type: ignore[no-any-return]
    fixture: dict[str, Any] = {}
    other_program, _ = Program.objects.get_or_create(name="Setup matrix program")
    for key, program in (("own", case.program), ("other", other_program)):
        track = Track.objects.create(
            program=program, name=f"Evening {key}", starts_on=date(2026, 1, 5)
        )
        blocks = [
            TrackBlock.objects.create(
                track=track, rule="FREQ=WEEKLY;BYDAY=MO,WE", starts_at=time(18), ends_at=time(21)
            ),
            TrackBlock.objects.create(
                track=track, rule="FREQ=WEEKLY;BYDAY=TH", starts_at=time(18), ends_at=time(21)
            ),
        ]
        group = Group.objects.create(
            track=track, name=f"Group {key}", curriculum_starts_on=date(2026, 1, 5)
        )
        facilitator = GroupFacilitator.objects.create(
            group=group, clinician=case.alvarez, role=GroupFacilitator.Role.LEAD
        )
        topics = [
            CurriculumTopic.objects.create(group=group, position=1, title="Mindfulness"),
            CurriculumTopic.objects.create(group=group, position=2, title="Distress tolerance"),
        ]
        fixture[key] = {
            "program": program,
            "track": track,
            "block": blocks[0],
            "group": group,
            "facilitator": facilitator,
            "topic": topics[0],
        }
    case._setup_fixture = fixture
    return fixture
