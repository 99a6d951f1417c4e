"""Apps above intake hear of each admission, inside the admission's transaction."""

from unittest import mock

from openiop.intake import actions, hooks
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.intake.tests.test_workflow import IntakeTestCase


class OnAdmittedTestCase(IntakeTestCase):
    def decided(self):
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        return referral

    def test_each_registered_callback_hears_of_the_admission(self):
        heard = []
        with mock.patch.object(hooks, "_on_admitted", []):
            hooks.register_on_admitted(lambda episode, *, acting_user: heard.append(episode))
            referral = self.decided()
            episode = actions.admit(referral, acting_user=self.ivy)
        self.assertEqual(heard, [episode])

    def test_a_failing_callback_undoes_the_admission(self):
        def fail(episode, *, acting_user):
            raise RuntimeError("boom")

        with mock.patch.object(hooks, "_on_admitted", [fail]):
            referral = self.decided()
            with self.assertRaises(RuntimeError):
                actions.admit(referral, acting_user=self.ivy)
        self.assertFalse(EpisodeOfCare.objects.exists())
        referral.refresh_from_db()
        self.assertEqual(referral.stage, Referral.Stage.ADMISSION)
