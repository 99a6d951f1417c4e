"""The demo's schedules and weekly history: completed and missed occasions to show."""

from django.test import TestCase
from django.utils import timezone

from openiop.assessments import demo as assessment_demo
from openiop.core import demo
from openiop.outcomes import completion
from openiop.outcomes.demo_schedules import load_schedules_demo
from openiop.outcomes.models import MeasurementSchedule
from openiop.scheduling import demo as schedule_demo


class DemoTests(TestCase):
    def test_default_schedules_with_completed_and_missed_weeks(self):
        program = demo.load(participants=20)
        schedule_demo.load(program)
        assessment_demo.load(program)
        load_schedules_demo(program, now=timezone.now())
        keys = MeasurementSchedule.objects.filter(program=program, is_active=True)
        self.assertEqual(sorted(keys.values_list("instrument_key", flat=True)), ["gad-7", "phq-9"])
        totals = completion.program_totals(program)
        self.assertGreater(totals.completed, 0)
        self.assertGreater(totals.missed, 0)
        self.assertGreater(completion.by_clinician(program).count(), 1)
