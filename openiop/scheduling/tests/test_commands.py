from datetime import UTC, date, datetime, time
from io import StringIO

import time_machine
from django.core.management import call_command

from openiop.programs.models import Track, TrackBlock
from openiop.scheduling.models import Session
from openiop.scheduling.tests.base import SchedulingTestCase


@time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
class ScheduleSessionsCommandTestCase(SchedulingTestCase):
    def test_it_creates_sessions_ahead_once(self):
        out = StringIO()
        call_command("schedule_sessions", "--weeks", "2", stdout=out)
        # Two groups x Mon/Wed/Thu over 2 March .. 16 March.
        self.assertIn("Created 14 sessions.", out.getvalue())
        call_command("schedule_sessions", "--weeks", "2", stdout=out)
        self.assertIn("Created 0 sessions.", out.getvalue())
        self.assertEqual(Session.objects.filter(group=self.group).count(), 7)

    def test_a_bad_template_is_reported_and_others_still_run(self):
        broken = Track.objects.create(
            program=self.program, name="Night", starts_on=date(2026, 3, 1)
        )
        TrackBlock.objects.create(
            track=broken, rule="FREQ=WEEKLY;BYDAY=SU", starts_at=time(2, 30), ends_at=time(3)
        )
        broken.groups.create(name="Night A", curriculum_starts_on=date(2026, 3, 1))
        err = StringIO()
        call_command("schedule_sessions", "--weeks", "2", stdout=StringIO(), stderr=err)
        self.assertIn("does not exist in America/New_York", err.getvalue())
        self.assertEqual(Session.objects.filter(group=self.group).count(), 7)
