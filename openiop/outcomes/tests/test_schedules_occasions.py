"""When occasions fall due: pure date arithmetic (openiop.outcomes.occasions)."""

from datetime import date

from django.test import SimpleTestCase

from openiop.outcomes.occasions import Occasions, Stay, due_occasions, latest_weekday

MONDAY = 0
ALL = Occasions(
    starts_on=date(2025, 1, 1),
    at_admission=True,
    weekly_on=MONDAY,
    at_discharge=True,
    follow_up_30=True,
    follow_up_90=True,
)


class DueOccasionsTests(SimpleTestCase):
    def test_latest_weekday(self):
        self.assertEqual(latest_weekday(date(2026, 1, 12), MONDAY), date(2026, 1, 12))
        self.assertEqual(latest_weekday(date(2026, 1, 18), MONDAY), date(2026, 1, 12))
        self.assertEqual(latest_weekday(date(2026, 1, 11), MONDAY), date(2026, 1, 5))

    def test_admission_day_has_no_weekly_occasion_as_well(self):
        stay = Stay(1, admitted_on=date(2026, 1, 12))
        self.assertEqual(
            due_occasions(ALL, stay, date(2026, 1, 12)), [("admission", date(2026, 1, 12))]
        )

    def test_only_the_latest_weekly_occasion_is_due(self):
        stay = Stay(1, admitted_on=date(2026, 1, 2))
        self.assertEqual(
            due_occasions(ALL, stay, date(2026, 1, 21)), [("weekly", date(2026, 1, 19))]
        )

    def test_one_offs_expire_after_the_grace_period(self):
        stay = Stay(1, admitted_on=date(2026, 1, 6))
        self.assertIn(("admission", date(2026, 1, 6)), due_occasions(ALL, stay, date(2026, 1, 13)))
        self.assertNotIn(
            ("admission", date(2026, 1, 6)), due_occasions(ALL, stay, date(2026, 1, 14))
        )

    def test_nothing_before_the_schedule_started(self):
        later = Occasions(starts_on=date(2026, 1, 10), at_admission=True)
        stay = Stay(1, admitted_on=date(2026, 1, 9))
        self.assertEqual(due_occasions(later, stay, date(2026, 1, 10)), [])

    def test_discharge_replaces_the_weekly_occasion_on_its_day(self):
        stay = Stay(1, admitted_on=date(2026, 1, 2), discharged_on=date(2026, 1, 19))
        self.assertEqual(
            due_occasions(ALL, stay, date(2026, 1, 19)), [("discharge", date(2026, 1, 19))]
        )

    def test_follow_ups_count_from_the_discharge_date(self):
        stay = Stay(1, admitted_on=date(2025, 9, 1), discharged_on=date(2025, 12, 1))
        self.assertEqual(
            due_occasions(ALL, stay, date(2025, 12, 31)), [("follow_up_30", date(2025, 12, 31))]
        )
        self.assertEqual(
            due_occasions(ALL, stay, date(2026, 3, 1)), [("follow_up_90", date(2026, 3, 1))]
        )
        self.assertEqual(due_occasions(ALL, stay, date(2026, 2, 1)), [])
