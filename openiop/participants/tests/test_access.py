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

    def test_a_safety_concern_can_still_be_raised_on_a_discharged_chart(self):
        from openiop.safety.models import SafetyAlert

        self.pat.discharged_at = timezone.now()
        self.pat.save()
        self.login(self.alvarez)
        response = self.client.post(
            f"/safety/concern/{self.pat.code}/", {"concern": "Called the front desk upset."}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(SafetyAlert.objects.filter(participant=self.pat).exists())
