"""The billing demo: most participants covered and authorized, charges and a worklist."""

from datetime import UTC, datetime

import time_machine
from django.utils import timezone

from openiop.billing import demo as billing_demo
from openiop.billing.models import Authorization, BillingAlert, Charge, Coverage
from openiop.core import demo
from openiop.participants.models import Participant
from openiop.scheduling import demo as schedule_demo
from openiop.testing import TransactionalTestCase


# The demo is laid out around today (sessions weeks back, charges from the first of last month,
# authorizations ending soon): a fixed Tuesday keeps the counts the same on any real day.
@time_machine.travel(datetime(2026, 12, 8, 14, 0, tzinfo=UTC), tick=True)
class BillingDemoTest(TransactionalTestCase):
    def test_most_participants_get_coverage_and_an_authorization(self):
        program = demo.load(participants=20)
        schedule_demo.load(program, weeks_back=8, weeks_ahead=1)
        counts = billing_demo.load(program, now=timezone.now())
        people = Participant.objects.filter(program=program).count()
        self.assertGreater(Coverage.objects.count(), people // 2)
        self.assertEqual(Authorization.objects.count(), Coverage.objects.count())
        self.assertEqual(counts["charges"], Charge.objects.count())
        self.assertGreater(Charge.objects.count(), 0)
        self.assertTrue(BillingAlert.objects.exists())
