"""The schedule's front page: each program's groups with seats and waitlists."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from openiop.programs.models import Group
from openiop.scheduling.models import Enrollment
from openiop.scheduling.tests.base import matrix_fixture
from openiop.testing import BaseTestCase


class ScheduleIndexTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.fixture = matrix_fixture(self)

    def test_a_director_sees_each_group_with_its_seats_and_waitlist(self):
        own = self.fixture["own"]["group"]
        Enrollment.objects.create(
            participant=self.quinn,
            group=own,
            status=Enrollment.Status.WAITLISTED,
            starts_on=timezone.localdate(),
            expected_end_on=timezone.localdate() + timedelta(weeks=8),
            requested_at=timezone.now(),
            created_by=self.dana,
        )
        self.login(self.dana)
        page = self.client.get(reverse("scheduling:index"))
        week = reverse("scheduling:week_grid", args=[self.program.code])
        self.assertContains(page, f'<a href="{week}">Adult Mental Health IOP</a>', html=True)
        roster = reverse("scheduling:roster", args=[own.code])
        self.assertContains(
            page,
            f'<th scope="row" data-label="Group"><a href="{roster}">Group own</a></th>',
            html=True,
        )
        self.assertContains(page, '<td data-label="Seated">1 of 12</td>', html=True)
        self.assertContains(page, '<td data-label="Waitlist">1</td>', html=True)

    def test_a_clinician_sees_only_the_groups_they_facilitate(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("scheduling:index"))
        self.assertNotContains(page, "Groups, seats and waitlists")
        self.assertContains(page, "Group own")
        self.assertNotContains(page, "Group other")

    def test_it_runs_a_fixed_number_of_queries(self):
        self.login(self.dana)
        self.client.get(reverse("scheduling:index"))
        with self.assertNumQueries(QUERIES):
            self.client.get(reverse("scheduling:index"))
        track = self.fixture["own"]["group"].track
        for n in range(5):
            Group.objects.create(
                track=track, name=f"More {n}", curriculum_starts_on=timezone.localdate()
            )
        with self.assertNumQueries(QUERIES):
            self.client.get(reverse("scheduling:index"))


# The session, the user, the programs, their groups (one query however many), the safety
# banner and the groups the user facilitates.
QUERIES = 6
