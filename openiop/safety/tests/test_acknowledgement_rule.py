"""Acknowledging an alert: a high or emergency alert needs a signed brief safety assessment;
every acknowledgement needs a documented action (bad input: refused with a message, nothing
lost)."""

from datetime import timedelta

import time_machine
from django.urls import reverse

from openiop.safety import actions
from openiop.safety.actions import assessment as assessing
from openiop.safety.models import SafetyAlert
from openiop.safety.tests.test_assessment import COMPLETE, NOW, AssessmentTestCase

# The action the clinician chose comes back chosen.
CONTACTED_CHECKED = 'value="contacted" id="id_action_2" required checked'


class AcknowledgementRuleTestCase(AssessmentTestCase):
    def acknowledge(self, alert, **data):
        self.login(self.alvarez)
        return self.client.post(reverse("safety:acknowledge", args=[alert.code]), data)

    def test_acknowledging_a_high_alert_needs_a_signed_assessment(self):
        note = "Called Pat; she is at home with her sister."
        response = self.acknowledge(self.alert, action="contacted", note=note)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "sign a brief safety assessment", status_code=400)
        self.assertContains(response, note, status_code=400)  # nothing lost
        self.assertContains(response, CONTACTED_CHECKED, status_code=400)
        self.alert.refresh_from_db()
        self.assertTrue(self.alert.is_open)
        with self.assertRaises(actions.AssessmentRequired):
            actions.acknowledge_alert(
                self.alert, action="contacted", note=note, acting_user=self.alvarez
            )

        # A draft is not enough; a signed one is.
        assessment = self.start()
        refused = self.acknowledge(self.alert, action="contacted", note=note)
        self.assertEqual(refused.status_code, 400)
        self.sign(assessment)
        response = self.acknowledge(self.alert, action="risk_assessed", note=note)
        self.assertRedirects(response, self.alert.get_absolute_url())
        self.alert.refresh_from_db()
        self.assertFalse(self.alert.is_open)

    def test_an_emergency_alert_accepts_an_assessment_signed_from_the_chart_since_it_opened(self):
        emergency = self.high_alert(self.quinn, rule="asq_acute_positive")
        self.login(self.chen)
        page = self.client.get(emergency.get_absolute_url())
        self.assertContains(page, "Needed before acknowledging")
        assessment, _ = assessing.start_assessment(self.quinn, acting_user=self.chen)
        assessing.save_draft(assessment, values=COMPLETE, expected_version=1, acting_user=self.chen)
        assessing.sign_assessment(assessment, expected_version=2, acting_user=self.chen)
        actions.acknowledge_alert(
            emergency, action="escalated", note="Warm hand-off to 988.", acting_user=self.chen
        )
        emergency.refresh_from_db()
        self.assertFalse(emergency.is_open)

    def test_an_assessment_signed_before_the_alert_opened_does_not_count(self):
        with time_machine.travel(NOW - timedelta(days=2), tick=False):
            assessment, _ = assessing.start_assessment(self.quinn, acting_user=self.chen)
            assessing.save_draft(
                assessment, values=COMPLETE, expected_version=1, acting_user=self.chen
            )
            assessing.sign_assessment(assessment, expected_version=2, acting_user=self.chen)
        alert = self.high_alert(self.quinn, rule="asq_positive")
        with self.assertRaises(actions.AssessmentRequired):
            actions.acknowledge_alert(
                alert, action="contacted", note="Spoke with Quinn.", acting_user=self.chen
            )

    def test_an_elevated_alert_needs_no_assessment(self):
        elevated = actions.raise_alert(
            self.quinn,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            acting_user=self.chen,
            concern="Withdrawn in group",
        )
        self.assertEqual(elevated.acuity, 1)
        actions.acknowledge_alert(
            elevated, action="contacted", note="Checked in; safe.", acting_user=self.chen
        )
        elevated.refresh_from_db()
        self.assertFalse(elevated.is_open)

    def test_an_acknowledgement_without_a_documented_action_is_refused_and_nothing_lost(self):
        elevated = actions.raise_alert(
            self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            acting_user=self.alvarez,
            concern="Withdrawn in group",
        )
        response = self.acknowledge(elevated, action="contacted", note="   ")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This field is required", status_code=400)
        self.assertContains(response, CONTACTED_CHECKED, status_code=400)
        response = self.acknowledge(elevated, note="Called; safe at home with family.")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Called; safe at home with family.", status_code=400)
        for action, note in (("contacted", " \n "), ("", "Called.")):
            with self.assertRaises(actions.UndocumentedAcknowledgement):
                actions.acknowledge_alert(
                    elevated, action=action, note=note, acting_user=self.alvarez
                )
        elevated.refresh_from_db()
        self.assertTrue(elevated.is_open)
