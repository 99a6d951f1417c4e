"""Shared set-up of the measurement-schedule tests."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from openiop.assessments.actions import load_shipped_instruments
from openiop.careplans.tests.plan_fixture import make_episode
from openiop.intake.models import EpisodeOfCare
from openiop.outcomes import schedule_actions
from openiop.outcomes.models import MeasurementSchedule, Weekday
from openiop.participants.models import Participant
from openiop.testing import BaseTestCase

NEW_YORK = ZoneInfo("America/New_York")


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


class ScheduleTestCase(BaseTestCase):
    """The program (New York) asks for the PHQ-9 at admission, weekly on Monday, at discharge
    and 30/90 days after, from Thursday 1 January 2026."""

    def setUp(self) -> None:
        super().setUp()
        # A browser test's flush (same test database) empties what the data migration loaded.
        load_shipped_instruments(acting_user=None)
        with time_machine.travel(ny(2026, 1, 1, 8), tick=False):
            self.schedule = schedule_actions.add_schedule(
                self.program,
                schedule_actions.Plan(
                    "phq-9",
                    at_admission=True,
                    weekly_on=Weekday.MONDAY,
                    at_discharge=True,
                    follow_up_30=True,
                    follow_up_90=True,
                ),
                acting_user=self.dana,
            )

    def admit(self, participant: Participant, when: datetime) -> EpisodeOfCare:
        with time_machine.travel(when, tick=False):
            return make_episode(participant, by=self.dana)

    def discharge(self, episode: EpisodeOfCare, when: datetime) -> None:
        episode.status = EpisodeOfCare.Status.FINISHED
        episode.ended_at = when
        episode.end_reason = EpisodeOfCare.EndReason.COMPLETED
        episode.save()


__all__ = ["MeasurementSchedule", "ScheduleTestCase", "ny"]
