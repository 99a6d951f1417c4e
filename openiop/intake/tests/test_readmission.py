"""A discharged chart is read-only, but an open referral is a way back in: its steps may be
written, and admitting it reopens the chart."""

from django.urls import reverse
from django.utils import timezone

from openiop.intake import actions
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.intake.tests.test_workflow import IntakeTestCase


class ReadmissionTestCase(IntakeTestCase):
    def decided_then_discharged(self) -> Referral:
        """Robin, at the admission decision, with a chart an earlier discharge closed."""
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        participant = referral.participant
        participant.discharged_at = timezone.now()
        participant.save(update_fields=["discharged_at"])
        return referral

    def test_an_open_referral_of_a_discharged_chart_can_be_admitted(self):
        referral = self.decided_then_discharged()
        self.login(self.ivy)
        response = self.client.post(
            reverse("intake:outcome", args=[referral.code]), {"outcome": "admit"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(EpisodeOfCare.objects.filter(referral=referral).exists())
        referral.participant.refresh_from_db()
        self.assertIsNone(referral.participant.discharged_at)

    def test_admitting_reopens_a_discharged_chart(self):
        referral = self.decided_then_discharged()
        actions.admit(referral, acting_user=self.ivy)
        referral.participant.refresh_from_db()
        self.assertIsNone(referral.participant.discharged_at)

    def test_the_rest_of_a_discharged_chart_stays_read_only(self):
        referral = self.decided_then_discharged()
        actions.admit(referral, acting_user=self.ivy)
        participant = referral.participant
        participant.discharged_at = timezone.now()
        participant.save(update_fields=["discharged_at"])
        self.login(self.ivy)
        # The admitted referral is closed: writing to it is a write to a discharged chart.
        response = self.client.post(
            reverse("intake:outcome", args=[referral.code]), {"outcome": "admit"}
        )
        self.assertEqual(response.status_code, 403)
        edit = self.client.get(reverse("participants:edit", args=[participant.code]))
        self.assertEqual(edit.status_code, 403)
