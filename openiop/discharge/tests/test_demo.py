from datetime import UTC, datetime

import time_machine
from django.utils import timezone

from openiop.assessments import demo as assessment_demo
from openiop.core import demo
from openiop.discharge.demo import load_discharge_demo
from openiop.scheduling import demo as schedule_demo
from openiop.scheduling.models import Enrollment
from openiop.testing import BaseTestCase

# Wednesday 14:00 New York: neither the evening nor the morning groups are in session.
WEDNESDAY_AFTERNOON = datetime(2026, 3, 11, 18, tzinfo=UTC)


@time_machine.travel(WEDNESDAY_AFTERNOON, tick=False)
class DischargeDemoTestCase(BaseTestCase):
    def test_one_participant_is_discharged_and_their_seat_goes_to_the_waitlist(self):
        program = demo.load(participants=60, weeks=8)
        schedule_demo.load(program)
        assessment_demo.load(program)
        waiting = (
            Enrollment.objects.filter(status="waitlisted")
            .order_by("-priority", "requested_at", "pk")
            .first()
        )
        assert waiting is not None
        summary = load_discharge_demo(program, now=timezone.now())
        assert summary is not None
        self.assertTrue(summary.is_signed)
        participant = summary.participant
        participant.refresh_from_db()
        self.assertIsNotNone(participant.discharged_at)
        ended = Enrollment.objects.get(participant=participant)
        self.assertEqual(ended.status, Enrollment.Status.ENDED)
        self.assertEqual(ended.group_id, waiting.group_id)
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, Enrollment.Status.SEATED)
        self.assertEqual(summary.aftercare.count(), 1)
        self.assertGreater(summary.services["total_minutes"], 0)
        [phq9] = [row for row in summary.scores if row["instrument"] == "phq-9"]
        self.assertEqual(phq9["last"], 8)
        self.assertIsNotNone(phq9["change"])
