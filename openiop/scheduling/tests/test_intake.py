from datetime import UTC, date, datetime

import time_machine
from django.urls import reverse

from openiop.intake import actions as intake
from openiop.intake.tests.test_workflow import IntakeTestCase
from openiop.scheduling.models import Booking, Enrollment
from openiop.scheduling.tests.base import Schedule


@time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=UTC), tick=False)
class IntakeToGroupTestCase(Schedule, IntakeTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.create_schedule()

    def test_an_intake_admission_leads_to_a_seat_and_a_personal_schedule(self):
        referral = self.through_assessment()
        intake.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        intake.admit(referral, acting_user=self.ivy)
        self.login(self.ivy)
        page = self.client.get(reverse("intake:referral", args=[referral.code]))
        grid = reverse("scheduling:week_grid", args=[self.program.code])
        self.assertContains(page, f'href="{grid}"')

        admit = reverse("scheduling:admit", args=[self.group.code])
        self.assertContains(self.client.get(admit), "Robin Okafor")
        self.client.post(
            admit,
            {"participant": referral.participant.pk, "starts_on": "2026-03-02", "priority": 0},
        )
        enrollment = Enrollment.objects.get(participant=referral.participant)
        self.assertEqual(enrollment.status, Enrollment.Status.SEATED)
        self.assertTrue(Booking.objects.filter(participant=referral.participant).exists())
        self.assertEqual(enrollment.starts_on, date(2026, 3, 2))
        # The seat serves the admission that intake recorded.
        self.assertEqual(enrollment.episode, referral.episode)
