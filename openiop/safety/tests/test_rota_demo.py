"""The demo's rota covers every hour of the week, DST weeks included."""

from datetime import date, timedelta

from django.test import TestCase

from openiop.accounts.models import User
from openiop.core import demo as core_demo
from openiop.lib.phone import e164_or_none
from openiop.safety import coverage
from openiop.safety.demo import load_rota_demo
from openiop.safety.models import OnCallOverride


class RotaDemoTestCase(TestCase):
    def test_the_demo_rota_covers_every_hour_with_one_override(self):
        program = core_demo.load(participants=1, weeks=1)
        load_rota_demo(program, today=date(2026, 3, 4))
        for week_of in (date(2026, 3, 4), date(2026, 3, 11), date(2026, 11, 1)):
            week = coverage.week(program, week_of)
            self.assertEqual(week.gaps, [], week_of)
            self.assertEqual(week.overlaps, [], week_of)
        override = OnCallOverride.objects.get(program=program)
        self.assertEqual(override.clinician.family_name, "Raman")
        self.assertEqual(override.starts_at.date(), date(2026, 3, 4) + timedelta(days=7))
        phones = User.objects.exclude(mobile_phone="").values_list("mobile_phone", flat=True)
        self.assertTrue(phones)
        for phone in phones:
            self.assertRegex(str(phone), r"^\+155555501[0-9]{2}$")
            self.assertEqual(e164_or_none(str(phone)), str(phone))
