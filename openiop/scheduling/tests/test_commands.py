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


@time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
class RelocalizeSessionsCommandTestCase(SchedulingTestCase):
    def test_sessions_return_to_their_local_wall_time_after_a_rule_change(self):
        from datetime import timedelta

        from openiop.scheduling import actions

        actions.admit(self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)
        session = Session.objects.get(group=self.group, local_date=date(2026, 3, 9))
        right = session.starts_at
        # As if the instant had been computed under older rules, an hour off.
        Session.objects.filter(pk=session.pk).update(
            starts_at=right + timedelta(hours=1), ends_at=session.ends_at + timedelta(hours=1)
        )
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("relocalize_sessions", stdout=out)
        self.assertIn("Moved 1 sessions; 0 need a person.", out.getvalue())
        session.refresh_from_db()
        self.assertEqual((session.starts_at, session.sequence), (right, 1))

    def test_a_wall_time_the_rules_make_impossible_is_left_for_a_person(self):
        actions_session = Session.objects.create(
            program=self.program,
            group=self.group,
            kind=Session.Kind.GROUP,
            starts_at=datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            ends_at=datetime(2026, 3, 8, 8, 30, tzinfo=UTC),
            local_date=date(2026, 3, 8),
            local_starts_at=time(2, 30),
            local_ends_at=time(3, 30),
            timezone="America/New_York",
        )
        err = StringIO()
        call_command("relocalize_sessions", stdout=StringIO(), stderr=err)
        self.assertIn(f"Session {actions_session.code}: 02:30 on Sunday 8 March", err.getvalue())
