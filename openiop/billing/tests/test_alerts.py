"""The daily authorization check: a worklist line before units run out or the dates end."""

from datetime import UTC, date, datetime

import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from openiop.audit.models import AuditEvent
from openiop.billing import actions
from openiop.billing.models import Authorization, BillingAlert, Plan
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

    def add_people(self, start: int, count: int) -> None:
        plan = Plan.objects.get()
        for n in range(start, start + count):
            person = self.make_participant(f"s{n}@example.org", f"Sweep{n}", "Tester", "")
            cov = base.coverage(person, plan, member_id=f"S{n}")
            base.authorization(cov, self.dana, starts=date(2026, 11, 2), ends=date(2026, 12, 31))

    def sweep_counts(self) -> list[int]:
        """Queries to raise a line per authorization (3 days left), refresh them the next day
        (2 days left) and resolve them (dates extended); then the lines are cleared again."""
        counts: list[int] = []

        def run(day: date) -> dict[str, int]:
            with time_machine.travel(at(day), tick=False), CaptureQueriesContext(connection) as ctx:
                result = actions.sweep_alerts()
            counts.append(len(ctx.captured_queries))
            return result

        people = Authorization.objects.count()
        self.assertEqual(run(date(2026, 12, 28)), {"raised": people, "resolved": 0})
        self.assertEqual(run(date(2026, 12, 29)), {"raised": 0, "resolved": 0})
        self.assertEqual(set(BillingAlert.objects.values_list("days_left", flat=True)), {2})
        Authorization.objects.update(ends_on=date(2027, 3, 31))
        self.assertEqual(run(date(2026, 12, 29)), {"raised": 0, "resolved": people})
        Authorization.objects.update(ends_on=date(2026, 12, 31))
        BillingAlert.objects.all().delete()
        return counts

    def test_a_sweep_runs_a_fixed_number_of_queries_whatever_the_lines(self):
        self.add_people(0, 1)
        two = self.sweep_counts()
        self.add_people(1, 4)
        self.assertEqual(self.sweep_counts(), two)
        # One audit event for each run that raised or resolved lines, with the counts.
        events = AuditEvent.objects.filter(event_type="billing.alerts_swept").order_by("seq")
        self.assertEqual(
            [e.details for e in events],
            [
                {"created": 2, "removed": 0},
                {"created": 0, "removed": 2},
                {"created": 6, "removed": 0},
                {"created": 0, "removed": 6},
            ],
        )

    def test_lines_of_authorizations_long_ended_are_left_as_they_are(self):
        old = base.authorization(
            self.coverage, self.dana, starts=date(2026, 9, 1), ends=date(2026, 9, 30)
        )
        history = BillingAlert.objects.create(
            authorization=old,
            kind=BillingAlert.Kind.EXPIRING,
            raised_at=at(date(2026, 9, 23)),
            units_left=4,
            days_left=7,
            resolved_at=at(date(2026, 10, 1)),
        )
        ended = base.authorization(
            self.coverage, self.dana, starts=date(2026, 10, 1), ends=date(2026, 10, 31)
        )
        still_open = BillingAlert.objects.create(
            authorization=ended,
            kind=BillingAlert.Kind.EXPIRING,
            raised_at=at(date(2026, 10, 24)),
            units_left=4,
            days_left=7,
        )
        loaded: list[int] = []

        def count(sender, instance, **kwargs):
            loaded.append(instance.pk)

        post_init.connect(count, sender=BillingAlert)
        try:
            with time_machine.travel(at(date(2026, 11, 3)), tick=False):
                self.assertEqual(actions.sweep_alerts(), {"raised": 0, "resolved": 1})
        finally:
            post_init.disconnect(count, sender=BillingAlert)
        self.assertEqual(loaded, [still_open.pk])  # the resolved line of September is not read
        history.refresh_from_db()
        still_open.refresh_from_db()
        self.assertEqual(history.resolved_at, at(date(2026, 10, 1)))
        self.assertEqual(still_open.resolved_at, at(date(2026, 11, 3)))
