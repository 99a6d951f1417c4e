"""Admission seats a primary clinician, so a new person's safety alerts reach someone."""

from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.intake import actions
from openiop.intake.tests.test_workflow import IntakeTestCase
from openiop.participants.models import CareTeamMember
from openiop.safety import access as safety_access
from openiop.safety import actions as safety_actions
from openiop.safety.models import SafetyAlert


class AdmissionSeatsAPrimaryClinicianTestCase(IntakeTestCase):
    def decided(self, by: User):
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=by
        )
        return referral

    def primary(self, referral):
        return CareTeamMember.objects.get(
            participant=referral.participant, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        )

    def test_the_admitting_clinician_becomes_primary_clinician(self):
        referral = self.decided(self.dana)
        actions.admit(referral, acting_user=self.alvarez)
        member = self.primary(referral)
        self.assertEqual((member.clinician, member.can_write), (self.alvarez, True))
        self.assertTrue(
            AuditEvent.objects.filter(event_type="care_team.member_added", actor=self.alvarez)
        )

    def test_a_coordinator_admits_and_the_deciding_clinician_becomes_primary(self):
        referral = self.decided(self.chen)
        actions.admit(referral, acting_user=self.ivy)
        self.assertEqual(self.primary(referral).clinician, self.chen)

    def test_the_clinician_chosen_at_admission_wins(self):
        referral = self.decided(self.dana)
        actions.admit(referral, acting_user=self.ivy, primary_clinician=self.alvarez)
        self.assertEqual(self.primary(referral).clinician, self.alvarez)

    def test_a_peer_specialist_cannot_be_chosen_as_primary(self):
        referral = self.decided(self.dana)
        with self.assertRaises(actions.IntakeError):
            actions.admit(referral, acting_user=self.ivy, primary_clinician=self.sam)
        self.assertFalse(CareTeamMember.objects.filter(participant=referral.participant))

    def test_a_readmission_keeps_the_existing_primary_clinician(self):
        referral = self.decided(self.dana)
        CareTeamMember.objects.create(
            participant=referral.participant,
            clinician=self.chen,
            role=CareTeamMember.Role.PRIMARY_CLINICIAN,
        )
        actions.admit(referral, acting_user=self.alvarez)
        self.assertEqual(self.primary(referral).clinician, self.chen)
        self.assertFalse(
            CareTeamMember.objects.filter(participant=referral.participant, clinician=self.alvarez)
        )

    def test_the_new_persons_alerts_reach_their_primary_clinician(self):
        referral = self.decided(self.dana)
        actions.admit(referral, acting_user=self.ivy, primary_clinician=self.alvarez)
        alert = safety_actions.raise_alert(
            referral.participant,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            concern="x",
            acting_user=self.ivy,
        )
        self.assertIn(alert, safety_access.open_alerts_for_user(self.alvarez))
        self.assertTrue(safety_access.can_acknowledge(self.alvarez, referral.participant))

    def test_the_admission_form_offers_the_programs_clinicians_only(self):
        referral = self.decided(self.dana)
        self.login(self.ivy)
        page = self.client.get(referral.get_absolute_url())
        self.assertContains(page, "Primary clinician")
        body = page.content.decode()
        self.assertIn(f'value="{self.alvarez.pk}"', body)
        self.assertNotIn(f'value="{self.sam.pk}"', body)
        self.assertNotIn(f'value="{self.ivy.pk}"', body)
        response = self.client.post(
            reverse("intake:outcome", args=[referral.code]),
            {"outcome": "admit", "primary_clinician": self.alvarez.pk},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.primary(referral).clinician, self.alvarez)
