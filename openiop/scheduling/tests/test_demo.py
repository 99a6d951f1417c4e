from django.db.models import Count, Q
from django.utils import timezone

from openiop.core import demo
from openiop.programs.models import Group
from openiop.scheduling import demo as schedule_demo
from openiop.scheduling.models import Booking, Enrollment
from openiop.testing import BaseTestCase


class ScheduleDemoTestCase(BaseTestCase):
    def test_it_loads_rolling_groups_within_capacity_and_attendance_in_the_past(self):
        program = demo.load(participants=200, weeks=8)
        schedule_demo.load(program)
        groups = Group.objects.filter(track__program=program).annotate(
            seated=Count("enrollments", filter=Q(enrollments__status="seated"))
        )
        self.assertGreaterEqual(program.tracks.count(), 3)
        self.assertGreaterEqual(groups.count(), 4)
        for group in groups:
            self.assertEqual(group.seated, group.seated_count)
            self.assertLessEqual(group.seated_count, group.capacity)
        self.assertEqual(Enrollment.objects.filter(status="waitlisted").count(), 5)
        now = timezone.now()
        self.assertFalse(
            Booking.objects.filter(session__ends_at__gt=now).exclude(attendance="").exists()
        )
        self.assertTrue(Booking.objects.filter(session__ends_at__lte=now, attendance="present"))
