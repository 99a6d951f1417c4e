"""The on-call rota: who is on call, and whether every hour of the week is covered.

2026 in New York: the clocks spring forward on Sunday 8 March (2:00 AM → 3:00 AM) and fall
back on Sunday 1 November (2:00 AM → 1:00 AM).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.safety import coverage
from openiop.safety.models import OnCallOverride, OnCallShift
from openiop.safety.rota import on_call_at
from openiop.testing import BaseTestCase

NY = ZoneInfo("America/New_York")
ORDINARY_WEEK = date(2026, 3, 18)  # a Wednesday: the week of Monday 16 March
SPRING_WEEK = date(2026, 3, 4)  # the week of Monday 2 March, with Sunday 8 March
FALL_WEEK = date(2026, 10, 28)  # the week of Monday 26 October, with Sunday 1 November


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY, fold=fold)


class RotaTestCase(BaseTestCase):
    def shift(self, who, weekday, starts, ends, program=None):
        return OnCallShift.objects.create(
            program=program or self.program,
            clinician=who,
            weekday=weekday,
            starts_at=time(*starts),
            ends_at=time(*ends),
        )

    def full_week(self):
        """Weekday office hours for Dr. Alvarez, nights and weekends for Dr. Chen."""
        for weekday in range(1, 6):
            self.shift(self.alvarez, weekday, (9,), (17,))
            self.shift(self.chen, weekday, (17,), (9,))
        self.shift(self.chen, 6, (9,), (9,))  # Saturday 9 AM to Sunday 9 AM
        self.shift(self.dana, 7, (9,), (9,))  # Sunday 9 AM to Monday 9 AM


class OnCallAtTestCase(RotaTestCase):
    def test_an_overnight_sunday_shift_covers_monday_morning(self):
        self.shift(self.chen, OnCallShift.Weekday.SUNDAY, (21,), (7,))
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 6, 59)), [self.chen])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 15, 21)), [self.chen])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 7)), [])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 15, 20, 59)), [])

    def test_a_shift_whose_end_equals_its_start_lasts_24_hours(self):
        self.shift(self.chen, OnCallShift.Weekday.SATURDAY, (9,), (9,))
        self.assertEqual(on_call_at(self.program, local(2026, 3, 22, 8, 59)), [self.chen])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 22, 9)), [])

    def test_an_override_replaces_the_weekly_pattern_for_its_stretch(self):
        self.shift(self.alvarez, OnCallShift.Weekday.MONDAY, (9,), (17,))
        OnCallOverride.objects.create(
            program=self.program,
            clinician=self.chen,
            starts_at=local(2026, 3, 16, 12),
            ends_at=local(2026, 3, 16, 13),
        )
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 12, 30)), [self.chen])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 13)), [self.alvarez])

    def test_an_override_by_someone_deactivated_leaves_the_pattern_in_force(self):
        self.shift(self.alvarez, OnCallShift.Weekday.MONDAY, (9,), (17,))
        OnCallOverride.objects.create(
            program=self.program,
            clinician=self.chen,
            starts_at=local(2026, 3, 16, 12),
            ends_at=local(2026, 3, 16, 13),
        )
        self.chen.is_active = False
        self.chen.save(update_fields=["is_active"])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 12, 30)), [self.alvarez])

    def test_a_deactivated_clinician_on_the_rota_is_nobody(self):
        self.shift(self.alvarez, OnCallShift.Weekday.MONDAY, (9,), (17,))
        self.alvarez.is_active = False
        self.alvarez.save(update_fields=["is_active"])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 10)), [])

    def test_a_peer_specialist_written_onto_the_rota_is_nobody(self):
        self.shift(self.sam, OnCallShift.Weekday.MONDAY, (9,), (17,))
        self.assertEqual(on_call_at(self.program, local(2026, 3, 16, 10)), [])

    def test_the_rota_is_read_on_the_programs_wall_clock_across_dst(self):
        # 9 AM is 14:00 UTC in winter and 13:00 UTC in summer.
        self.shift(self.alvarez, OnCallShift.Weekday.MONDAY, (9,), (17,))
        self.assertEqual(
            on_call_at(self.program, datetime(2026, 3, 2, 14, tzinfo=UTC)), [self.alvarez]
        )
        self.assertEqual(
            on_call_at(self.program, datetime(2026, 3, 9, 13, tzinfo=UTC)), [self.alvarez]
        )
        self.assertEqual(on_call_at(self.program, datetime(2026, 3, 2, 13, tzinfo=UTC)), [])

    def test_each_person_is_named_once_and_in_rota_order(self):
        self.shift(self.chen, OnCallShift.Weekday.MONDAY, (8,), (12,))
        self.shift(self.alvarez, OnCallShift.Weekday.MONDAY, (9,), (17,))
        self.shift(self.chen, OnCallShift.Weekday.MONDAY, (10,), (11,))
        people = on_call_at(self.program, local(2026, 3, 16, 10, 30))
        self.assertEqual(people, [self.chen, self.alvarez])

    def test_on_call_at_asks_two_queries_and_refuses_naive_times(self):
        self.full_week()
        with CaptureQueriesContext(connection) as queries:
            on_call_at(self.program, local(2026, 3, 16, 10))
        self.assertEqual(len(queries), 2)
        with self.assertRaises(ValueError):
            on_call_at(self.program, datetime(2026, 3, 16, 10))


class CoverageTestCase(RotaTestCase):
    def test_an_empty_rota_leaves_the_whole_week_uncovered_168_167_and_169_hours(self):
        for week_of, hours in ((ORDINARY_WEEK, 168), (SPRING_WEEK, 167), (FALL_WEEK, 169)):
            gaps = coverage.gaps(self.program, week_of)
            self.assertEqual(len(gaps), 1)
            self.assertEqual(gaps[0].hours, hours, week_of)
            monday = week_of - timedelta(days=week_of.weekday())
            self.assertEqual(gaps[0].starts_at, local(monday.year, monday.month, monday.day))

    def test_a_full_rota_covers_every_hour_including_dst_weeks(self):
        self.full_week()
        for week_of in (ORDINARY_WEEK, SPRING_WEEK, FALL_WEEK):
            week = coverage.week(self.program, week_of)
            self.assertEqual(week.gaps, [], week_of)
            self.assertEqual(week.overlaps, [], week_of)
            self.assertTrue(coverage.every_hour_covered(self.program, week_of))

    def test_a_missing_night_is_a_gap_with_its_local_times(self):
        self.full_week()
        OnCallShift.objects.filter(
            clinician=self.chen, weekday=OnCallShift.Weekday.TUESDAY
        ).delete()
        gaps = coverage.gaps(self.program, ORDINARY_WEEK)
        self.assertEqual(
            [(g.starts_at, g.ends_at) for g in gaps],
            [(local(2026, 3, 17, 17), local(2026, 3, 18, 9))],
        )

    def test_the_overnight_sunday_shift_covers_the_start_of_the_week(self):
        self.shift(self.chen, OnCallShift.Weekday.SUNDAY, (21,), (7,))
        gaps = coverage.gaps(self.program, ORDINARY_WEEK)
        self.assertEqual(
            [(g.starts_at, g.ends_at) for g in gaps],
            [(local(2026, 3, 16, 7), local(2026, 3, 22, 21))],
        )

    def test_a_deactivated_clinician_leaves_a_gap(self):
        self.full_week()
        self.dana.is_active = False
        self.dana.save(update_fields=["is_active"])
        gaps = coverage.gaps(self.program, ORDINARY_WEEK)
        # Her Sunday shift runs to Monday 9 AM: the start and the end of the week are open.
        self.assertEqual(
            [(g.starts_at, g.ends_at) for g in gaps],
            [
                (local(2026, 3, 16), local(2026, 3, 16, 9)),
                (local(2026, 3, 22, 9), local(2026, 3, 23)),
            ],
        )

    def test_a_peer_specialist_on_the_rota_leaves_a_gap(self):
        self.shift(self.sam, OnCallShift.Weekday.MONDAY, (0,), (0,))
        self.assertEqual(coverage.gaps(self.program, ORDINARY_WEEK)[0].hours, 168)

    def test_an_override_fills_a_gap_and_counts_only_inside_the_week(self):
        self.full_week()
        OnCallShift.objects.filter(
            clinician=self.chen, weekday=OnCallShift.Weekday.TUESDAY
        ).delete()
        OnCallOverride.objects.create(
            program=self.program,
            clinician=self.alvarez,
            starts_at=local(2026, 3, 17, 17),
            ends_at=local(2026, 3, 18, 8),
        )
        gaps = coverage.gaps(self.program, ORDINARY_WEEK)
        self.assertEqual(
            [(g.starts_at, g.ends_at) for g in gaps],
            [(local(2026, 3, 18, 8), local(2026, 3, 18, 9))],
        )

    def test_an_override_over_the_pattern_is_no_overlap_but_two_overrides_are(self):
        self.full_week()
        for who in (self.alvarez, self.dana):
            OnCallOverride.objects.create(
                program=self.program,
                clinician=who,
                starts_at=local(2026, 3, 17, 20),
                ends_at=local(2026, 3, 17, 22),
            )
        overlaps = coverage.overlaps(self.program, ORDINARY_WEEK)
        self.assertEqual(len(overlaps), 1)
        self.assertEqual(overlaps[0].starts_at, local(2026, 3, 17, 20))
        self.assertEqual(overlaps[0].hours, 2)
        self.assertEqual(overlaps[0].people, (self.alvarez.display_name, self.dana.display_name))

    def test_two_shifts_at_once_are_an_overlap(self):
        self.full_week()
        self.shift(self.dana, OnCallShift.Weekday.FRIDAY, (16,), (18,))
        overlaps = coverage.overlaps(self.program, ORDINARY_WEEK)
        self.assertEqual(
            [(o.starts_at, o.ends_at) for o in overlaps],
            [
                (local(2026, 3, 20, 16), local(2026, 3, 20, 17)),
                (local(2026, 3, 20, 17), local(2026, 3, 20, 18)),
            ],
        )

    def test_a_handover_inside_the_skipped_hour_leaves_no_gap(self):
        self.shift(self.chen, OnCallShift.Weekday.SATURDAY, (9,), (2, 30))
        self.shift(self.alvarez, OnCallShift.Weekday.SUNDAY, (2, 30), (9,))
        self.shift(self.dana, OnCallShift.Weekday.SUNDAY, (9,), (9,))
        for weekday in range(1, 6):
            self.shift(self.dana, weekday, (9,), (9,))
        self.assertEqual(coverage.gaps(self.program, SPRING_WEEK), [])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 8, 3)), [self.alvarez])
        self.assertEqual(on_call_at(self.program, local(2026, 3, 8, 1, 59)), [self.chen])

    def test_a_handover_inside_the_repeated_hour_leaves_no_gap_and_no_overlap(self):
        self.shift(self.chen, OnCallShift.Weekday.SATURDAY, (9,), (1, 30))
        self.shift(self.alvarez, OnCallShift.Weekday.SUNDAY, (1, 30), (9,))
        self.shift(self.dana, OnCallShift.Weekday.SUNDAY, (9,), (9,))
        for weekday in range(1, 6):
            self.shift(self.dana, weekday, (9,), (9,))
        week = coverage.week(self.program, FALL_WEEK)
        self.assertEqual((week.gaps, week.overlaps, week.hours), ([], [], 169))
        # The wall clock decides: the second 1:15 AM (EST) reads as Saturday's night again.
        self.assertEqual(on_call_at(self.program, local(2026, 11, 1, 1, 45)), [self.alvarez])
        self.assertEqual(on_call_at(self.program, local(2026, 11, 1, 1, 15, fold=1)), [self.chen])

    def test_a_shift_across_the_spring_forward_night_lasts_an_hour_less(self):
        self.shift(self.chen, OnCallShift.Weekday.SATURDAY, (22,), (6,))
        gaps = coverage.gaps(self.program, SPRING_WEEK)
        covered = 167 - sum(g.hours for g in gaps)
        self.assertEqual(covered, 7)

    def test_a_shift_across_the_fall_back_night_lasts_an_hour_more(self):
        self.shift(self.chen, OnCallShift.Weekday.SATURDAY, (22,), (6,))
        gaps = coverage.gaps(self.program, FALL_WEEK)
        self.assertEqual(169 - sum(g.hours for g in gaps), 9)

    def test_coverage_asks_two_queries_however_big_the_rota(self):
        self.full_week()
        for day in range(20):
            OnCallOverride.objects.create(
                program=self.program,
                clinician=self.alvarez,
                starts_at=local(2026, 3, 16, 1) + timedelta(hours=5 * day),
                ends_at=local(2026, 3, 16, 2) + timedelta(hours=5 * day),
            )
        with CaptureQueriesContext(connection) as queries:
            coverage.week(self.program, ORDINARY_WEEK)
        self.assertEqual(len(queries), 2)

    def test_uncovered_soon_names_only_programs_with_a_gap_in_the_next_seven_days(self):
        from openiop.programs.models import Program

        other = Program.objects.create(name="Adolescent IOP", timezone="America/Los_Angeles")
        self.full_week()
        now = local(2026, 3, 18, 12)
        with CaptureQueriesContext(connection) as queries:
            found = coverage.uncovered_soon([self.program, other], now=now)
        self.assertEqual(len(queries), 2)
        self.assertEqual([program for program, _ in found], [other])
        self.assertEqual(found[0][1].uncovered_hours, 168)
