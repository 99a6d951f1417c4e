"""Office hours are wall-clock times in the program's zone, across weekends and DST."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from openiop.messaging.models import MessagingSettings
from openiop.messaging.threads_hours import describe, is_open
from openiop.programs.models import Program

NEW_YORK = ZoneInfo("America/New_York")


def at(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


class OfficeHoursTest(SimpleTestCase):
    def setUp(self) -> None:
        program = Program(id=1, name="IOP", timezone="America/New_York")
        self.hours = MessagingSettings(
            program=program, days="12345", opens_at=time(9), closes_at=time(17)
        )

    def test_open_from_opening_until_closing(self):
        self.assertFalse(is_open(self.hours, at(2026, 3, 13, 8, 59)))
        self.assertTrue(is_open(self.hours, at(2026, 3, 13, 9, 0)))
        self.assertTrue(is_open(self.hours, at(2026, 3, 13, 16, 59)))
        self.assertFalse(is_open(self.hours, at(2026, 3, 13, 17, 0)))

    def test_closed_on_sunday_night_and_new_years_eve_saturday(self):
        self.assertFalse(is_open(self.hours, at(2026, 3, 15, 23, 30)))
        self.assertFalse(is_open(self.hours, at(2022, 12, 31, 12, 0)))

    def test_the_hours_follow_the_wall_clock_across_the_dst_change(self):
        # Clocks went forward on Sunday 8 March 2026; Monday 9 AM is 13:00 UTC, not 14:00.
        monday_nine = datetime(2026, 3, 9, 13, 0, tzinfo=ZoneInfo("UTC"))
        self.assertTrue(is_open(self.hours, monday_nine))
        self.assertEqual(
            describe(self.hours, monday_nine), "Mon, Tue, Wed, Thu, Fri, 9:00 AM – 5:00 PM EDT"
        )
        self.assertIn("EST", describe(self.hours, at(2026, 3, 6, 10, 0)))

    def test_a_program_with_no_days_is_never_open(self):
        self.hours.days = ""
        self.assertFalse(is_open(self.hours, at(2026, 3, 13, 10, 0)))
        self.assertEqual(describe(self.hours), "no office hours")
