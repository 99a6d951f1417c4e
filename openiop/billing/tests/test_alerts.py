"""The daily authorization check: a worklist line before units run out or the dates end."""

from datetime import UTC, date, datetime

import time_machine
from django.core.management import call_command

from openiop.billing import actions
from openiop.billing.models import BillingAlert
from openiop.billing.tasks import check_authorizations
from openiop.billing.tests import base
from openiop.testing import BaseTestCase


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


class AlertTest(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        plan = base.payer(self.program)
        self.coverage = base.coverage(self.pat, plan)
        self.auth = base.authorization(
            self.coverage, self.dana, units=5, starts=date(2026, 11, 2), ends=date(2026, 12, 31)
        )

    def open_alerts(self) -> list[str]:
        return sorted(BillingAlert.objects.filter(resolved_at=None).values_list("kind", flat=True))

    def test_units_running_out_raise_the_alert_on_the_day_the_third_unit_is_used(self):
        days = [date(2026, 11, d) for d in (2, 3, 4)]
        with time_machine.travel(at(date(2026, 11, 3)), tick=False):
            for day in days[:2]:
                base.program_day(self, day, {self.pat: 180})
            actions.sweep_alerts()
            self.assertEqual(self.open_alerts(), [])  # 3 units left
        with time_machine.travel(at(date(2026, 11, 4)), tick=False):
            base.program_day(self, days[2], {self.pat: 180})
            self.assertEqual(actions.sweep_alerts(), {"raised": 1, "resolved": 0})
        alert = BillingAlert.objects.get()
        self.assertEqual((alert.kind, alert.units_left), ("units_low", 2))
        self.assertEqual(alert.raised_at, at(date(2026, 11, 4)))
        # The next day's run raises nothing new; more units approved resolve it.
        with time_machine.travel(at(date(2026, 11, 5)), tick=False):
            self.assertEqual(actions.sweep_alerts(), {"raised": 0, "resolved": 0})
            self.auth.units_approved = 20
            self.auth.save()
            self.assertEqual(actions.sweep_alerts(), {"raised": 0, "resolved": 1})
        self.assertEqual(self.open_alerts(), [])

    def test_expiry_raises_the_alert_seven_days_before_the_end(self):
        self.auth.units_approved = 50
        self.auth.save()
        with time_machine.travel(at(date(2026, 12, 23)), tick=False):
            check_authorizations.call()
            self.assertEqual(self.open_alerts(), [])  # 8 days left
        with time_machine.travel(at(date(2026, 12, 24)), tick=False):
            call_command("billing_sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
            self.assertEqual(self.open_alerts(), ["expiring"])
        self.assertEqual(BillingAlert.objects.get().days_left, 7)

    def test_thresholds_are_configurable(self):
        base.program_day(self, date(2026, 11, 2), {self.pat: 180})
        with (
            self.settings(BILLING_ALERT_UNITS_LEFT=4, BILLING_ALERT_DAYS_LEFT=60),
            time_machine.travel(at(date(2026, 11, 3)), tick=False),
        ):
            actions.sweep_alerts()
        self.assertEqual(self.open_alerts(), ["expiring", "units_low"])
