from django.contrib.auth.models import AnonymousUser

from openiop.participants.zones import viewer_zone
from openiop.testing import BaseTestCase


class ViewerZoneTestCase(BaseTestCase):
    def test_a_participant_reads_times_in_the_zone_of_their_chart(self):
        self.pat.timezone = "America/Phoenix"
        self.pat.save()
        self.pat_user.timezone = "America/New_York"
        self.pat_user.save()
        self.pat_user.refresh_from_db()
        self.assertEqual(viewer_zone(self.pat_user), "America/Phoenix")

    def test_staff_read_times_in_the_zone_of_their_account(self):
        self.alvarez.timezone = "America/Chicago"
        self.assertEqual(viewer_zone(self.alvarez), "America/Chicago")

    def test_nobody_signed_in_reads_utc(self):
        self.assertEqual(viewer_zone(AnonymousUser()), "UTC")
