from datetime import date
from decimal import Decimal

from openiop.careplans.demo_summary import load_summary_demo
from openiop.careplans.models import Allergy, Diagnosis, Medication, SummaryRevision
from openiop.core import demo
from openiop.intake import actions as intake
from openiop.participants.models import Participant
from openiop.testing import BaseTestCase


class SummaryDemoTestCase(BaseTestCase):
    def test_every_demo_chart_gets_a_summary_and_intake_codes_win(self):
        program = demo.load(participants=8, weeks=8)
        coordinator = program.memberships.get(user__role="intake_coordinator").user
        referral = intake.create_referral(
            program=program,
            person={
                "given_name": "Robin",
                "family_name": "Demo",
                "date_of_birth": date(1994, 6, 1),
                "home_state": "NY",
                "timezone": program.timezone,
            },
            referral={"source": "self", "reason": "Synthetic", "consent_to_contact": True},
            acting_user=coordinator,
        )
        intake.record_screening(
            referral, proceed=True, note="", referred_to="", acting_user=coordinator
        )
        intake.save_assessment(
            referral,
            fields={
                "presenting_problem": "Synthetic",
                "functional_impairment": "moderate",
                "clinician_risk": "low",
                "weekly_hours_needed": Decimal("9"),
                "diagnoses": ["F43.12"],
            },
            acting_user=coordinator,
        )
        intake.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=coordinator
        )
        intake.admit(referral, acting_user=coordinator)
        still_in_intake = intake.create_referral(
            program=program,
            person={
                "given_name": "Sky",
                "family_name": "Demo",
                "date_of_birth": date(1990, 1, 1),
                "home_state": "NY",
                "timezone": program.timezone,
            },
            referral={"source": "self", "reason": "Synthetic", "consent_to_contact": True},
            acting_user=coordinator,
        ).participant

        self.assertEqual(load_summary_demo(program, today=date(2026, 3, 2)), 9)
        self.assertFalse(still_in_intake.diagnoses.exists())
        self.assertFalse(still_in_intake.medications.exists())
        for participant in Participant.objects.filter(program=program).exclude(
            pk=still_in_intake.pk
        ):
            with self.subTest(participant=participant.pk):
                current = participant.diagnoses.filter(status="active")
                self.assertEqual(current.filter(rank="primary").count(), 1)
        robin = referral.participant
        self.assertEqual(
            list(robin.diagnoses.values_list("icd10_code", "source")), [("F43.12", "intake")]
        )
        self.assertTrue(Medication.objects.filter(stopped_on__isnull=False).exists())
        self.assertTrue(Medication.objects.filter(stopped_on__isnull=True).exists())
        self.assertEqual(Allergy.objects.count(), 7)
        self.assertEqual(
            SummaryRevision.objects.filter(kind="diagnosis").count(), Diagnosis.objects.count()
        )
        # Loading again changes nothing.
        self.assertEqual(load_summary_demo(program), 0)
