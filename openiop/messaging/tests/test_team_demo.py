"""The team demo: threads with a mention, tasks (one done) and a case review with decisions."""

from datetime import UTC, datetime

import time_machine
from django.utils import timezone

from openiop.core import demo, demo_safety
from openiop.messaging import team_demo
from openiop.messaging.models import CaseReviewDecision, Mention, TeamPost, TeamTask
from openiop.scheduling import demo as schedule_demo
from openiop.testing import BaseTestCase


@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=True)
class TeamDemoTest(BaseTestCase):
    def test_it_loads_threads_tasks_and_a_case_review(self):
        program = demo.load(participants=12)
        schedule_demo.load(program, weeks_back=1, weeks_ahead=1)
        demo_safety.load(program)
        decisions = team_demo.load_team_demo(program, now=timezone.now())
        self.assertEqual(TeamPost.objects.count(), 6)
        self.assertTrue(Mention.objects.exists())
        self.assertEqual(TeamTask.objects.filter(status="done").count(), 3)
        self.assertEqual(TeamTask.objects.filter(status="open").count(), 6)
        self.assertGreater(decisions, 0)
        self.assertEqual(CaseReviewDecision.objects.count(), decisions)
