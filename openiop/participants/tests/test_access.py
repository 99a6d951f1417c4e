from django.utils import timezone

from openiop.participants.access import Access, participant_access
from openiop.testing import BaseTestCase


class DischargedChartTest(BaseTestCase):
    """A signed discharge summary closes the chart: read-only except addenda and readmission."""

    def test_a_discharged_chart_is_read_only(self):
        self.pat.discharged_at = timezone.now()
        self.pat.save()
        self.assertEqual(participant_access(self.alvarez, self.pat), Access.READ)
        self.assertEqual(
            participant_access(self.alvarez, self.pat, allow_discharged=True), Access.WRITE
        )
        self.assertEqual(participant_access(self.sam, self.pat, allow_discharged=True), Access.READ)
        self.assertEqual(participant_access(self.chen, self.pat), Access.NONE)
        self.login(self.alvarez)
        self.assertEqual(self.client.get(f"/participants/{self.pat.code}/edit/").status_code, 403)
