from datetime import date, time
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.urls import reverse

from openiop.programs.models import Group, GroupFacilitator, Track, TrackBlock
from openiop.testing import BaseTestCase


class TemplateValidationTestCase(BaseTestCase):
    track: ClassVar[Track]
    group: ClassVar[Group]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.track = Track.objects.create(
            program=cls.program, name="Evening DBT", starts_on=date(2026, 1, 5)
        )
        cls.group = Group.objects.create(
            track=cls.track, name="A", curriculum_starts_on=date(2026, 1, 5)
        )

    def block(self, rule, start=time(18), end=time(21)):
        return TrackBlock(track=self.track, rule=rule, starts_at=start, ends_at=end)

    def test_a_good_block_is_accepted(self):
        self.block("FREQ=WEEKLY;BYDAY=MO,WE,TH").full_clean()

    def test_blocks_that_yield_nothing_or_hit_a_dst_gap_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "yields no sessions"):
            self.block("FREQ=WEEKLY;BYDAY=MO;UNTIL=20251231").full_clean()
        with self.assertRaisesMessage(ValidationError, "does not exist in America/New_York"):
            self.block("FREQ=WEEKLY;BYDAY=SU", time(2, 30), time(3, 30)).full_clean()
        with self.assertRaisesMessage(ValidationError, "happens twice"):
            self.block("FREQ=WEEKLY;BYDAY=SU", time(1, 15), time(1, 45)).full_clean()

    def test_an_end_before_the_start_is_refused(self):
        with self.assertRaises(ValidationError):
            self.block("FREQ=WEEKLY;BYDAY=MO", time(21), time(18)).full_clean()

    def test_the_lead_facilitator_must_be_a_licensed_clinician(self):
        GroupFacilitator(group=self.group, clinician=self.alvarez, role="lead").full_clean()
        GroupFacilitator(group=self.group, clinician=self.sam, role="peer").full_clean()
        with self.assertRaisesMessage(ValidationError, "must be a licensed clinician"):
            GroupFacilitator(group=self.group, clinician=self.sam, role="lead").full_clean()
        # An intake coordinator holds no clinical seat at all, lead or not.
        with self.assertRaisesMessage(ValidationError, "can be a group facilitator"):
            GroupFacilitator(group=self.group, clinician=self.ivy, role="lead").full_clean()

    def test_capacity_stays_within_the_hard_cap(self):
        self.group.capacity = 13
        with self.assertRaises(ValidationError):
            self.group.full_clean()

    def test_administrators_manage_tracks_and_groups_in_the_admin(self):
        self.login(self.admin)
        self.assertEqual(self.client.get(reverse("admin:programs_track_add")).status_code, 200)
        page = self.client.get(reverse("admin:programs_group_change", args=[self.group.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="capacity"')
        availability = reverse("admin:scheduling_clinicianavailability_add")
        self.assertEqual(self.client.get(availability).status_code, 200)
