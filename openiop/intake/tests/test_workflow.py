"""Referral → screening → assessment → level of care → admission, on the real database."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from openiop.assessments import actions as assessment_actions
from openiop.assessments.actions import shipped_instrument
from openiop.audit.models import AuditEvent
from openiop.intake import actions
from openiop.intake.level_of_care import DEFAULT_RULES, RuleSetError, default_rule_set
from openiop.intake.models import EpisodeOfCare, LevelOfCareDecision, Referral
from openiop.testing import BaseTestCase

PERSON = {
    "given_name": "Robin",
    "family_name": "Okafor",
    "preferred_name": "",
    "pronouns": "they/them",
    "date_of_birth": date(1994, 6, 1),
    "home_state": "NY",
    "timezone": "America/New_York",
    "phone": "+15555550142",
    "email": "robin@example.org",
    "emergency_contact_name": "",
    "emergency_contact_phone": "",
    "emergency_contact_relationship": "",
}
ASSESSMENT = {
    "presenting_problem": "Low mood for three months",
    "functional_impairment": "moderate",
    "clinician_risk": "low",
    "weekly_hours_needed": Decimal("9"),
    "needs_24_hour_care": False,
    "diagnoses": ["F33.1"],
}


class IntakeTestCase(BaseTestCase):
    def refer(self):
        return actions.create_referral(
            program=self.program,
            person=dict(PERSON),
            referral={
                "source": "primary_care",
                "referrer": "Dr. Example",
                "reason": "Depression",
                "consent_to_contact": True,
            },
            acting_user=self.ivy,
        )

    def through_assessment(self, **fields):
        referral = self.refer()
        actions.record_screening(
            referral, proceed=True, note="", referred_to="", acting_user=self.ivy
        )
        actions.save_assessment(referral, fields={**ASSESSMENT, **fields}, acting_user=self.ivy)
        referral.refresh_from_db()
        return referral


class IntakeWorkflowTestCase(IntakeTestCase):
    def test_a_referral_needs_consent_to_contact(self):
        with self.assertRaises(actions.IntakeError):
            actions.create_referral(
                program=self.program,
                person=dict(PERSON),
                referral={"source": "self", "reason": "x", "consent_to_contact": False},
                acting_user=self.ivy,
            )
        self.assertFalse(Referral.objects.exists())

    def test_screening_can_decline_with_a_referral_elsewhere(self):
        referral = self.refer()
        with self.assertRaises(actions.IntakeError):
            actions.record_screening(
                referral, proceed=False, note="", referred_to=" ", acting_user=self.ivy
            )
        actions.record_screening(
            referral, proceed=False, note="", referred_to="County PHP", acting_user=self.ivy
        )
        referral.refresh_from_db()
        self.assertEqual(referral.stage, Referral.Stage.DECLINED)

    def test_the_recommendation_uses_instruments_ratings_and_hours(self):
        referral = self.through_assessment()
        phq9 = shipped_instrument("phq-9")
        assignment = assessment_actions.assign_instrument(
            referral.participant, phq9, acting_user=self.ivy
        )
        answers = {str(n): "LA6570-1" for n in range(1, 9)} | {"9": "LA6568-5"}
        assessment_actions.answer(
            assignment,
            answers,
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.alvarez,
            source="clinician",
        )
        recommendation, facts = actions.recommendation_for(referral)
        self.assertEqual(facts["phq-9.total"], 16)
        self.assertEqual(recommendation.level, "iop")
        self.assertEqual(
            [r.id for r in recommendation.fired],
            ["hours-iop-adult", "phq9-moderately-severe", "impairment-moderate"],
        )

    def test_an_override_needs_a_reason(self):
        referral = self.through_assessment()
        with self.assertRaises(actions.IntakeError):
            actions.decide_level_of_care(
                referral, chosen_level="php", variance_reason=" ", acting_user=self.dana
            )
        decision = actions.decide_level_of_care(
            referral,
            chosen_level="php",
            variance_reason="Lives alone; needs daily structure",
            acting_user=self.dana,
        )
        self.assertEqual(decision.recommended_level, "iop")
        self.assertTrue(decision.is_override)
        self.assertIn("hours-iop-adult", [r["id"] for r in decision.recommendation["fired"]])
        event = AuditEvent.objects.get(event_type="intake.level_of_care_decided")
        self.assertEqual(event.details["override"], True)
        with self.assertRaises(IntegrityError), transaction.atomic():
            LevelOfCareDecision.objects.filter(pk=decision.pk).update(variance_reason="")

    def test_admission_creates_an_episode_of_care(self):
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        episode = actions.admit(referral, acting_user=self.ivy)
        self.assertEqual(episode.level_of_care, "iop")
        self.assertEqual(episode.program, self.program)
        referral.refresh_from_db()
        self.assertEqual(referral.stage, Referral.Stage.ADMITTED)
        with self.assertRaises(actions.IntakeError):
            actions.admit(referral, acting_user=self.ivy)
        self.assertEqual(EpisodeOfCare.objects.count(), 1)

    def test_admission_needs_the_programs_own_level(self):
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="php", variance_reason="Daily structure", acting_user=self.dana
        )
        with self.assertRaises(actions.IntakeError):
            actions.admit(referral, acting_user=self.ivy)
        self.assertFalse(EpisodeOfCare.objects.exists())
        actions.decline(referral, referred_to="County PHP", note="", acting_user=self.ivy)

    def test_waitlist_then_admit_or_decline(self):
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        actions.waitlist(referral, note="Next cohort", acting_user=self.ivy)
        actions.decline(referral, referred_to="Another IOP", note="", acting_user=self.ivy)
        referral.refresh_from_db()
        self.assertEqual(referral.stage, Referral.Stage.DECLINED)
        self.assertEqual(referral.referred_elsewhere_to, "Another IOP")

    def test_a_program_edits_its_rules(self):
        text = DEFAULT_RULES.read_text().replace('"atLeast": 9}', '"atLeast": 12}')
        actions.set_program_rules(self.program, text=text, acting_user=self.dana)
        referral = self.through_assessment(functional_impairment="mild")
        recommendation, _ = actions.recommendation_for(referral)
        self.assertEqual(recommendation.level, "outpatient")
        with self.assertRaises(RuleSetError):
            actions.set_program_rules(self.program, text="{}", acting_user=self.dana)


class IntakePagesTestCase(IntakeTestCase):
    def test_level_of_care_page_explains_the_rules_that_fired_in_words(self):
        referral = self.through_assessment()
        self.login(self.dana)
        page = self.client.get(reverse("intake:level_of_care", args=[referral.code]))
        self.assertContains(page, "Recommendation: Intensive outpatient (IOP)")
        rules = {rule.id: rule for rule in default_rule_set().rules}
        for rule_id in ("hours-iop-adult", "impairment-moderate"):
            with self.subTest(rule=rule_id):
                self.assertContains(page, rules[rule_id].explanation)
                self.assertNotContains(page, rule_id)
        self.assertContains(page, "So: at least Intensive outpatient (IOP).")
        # Facts by name, not by key.
        self.assertContains(page, "Hours of structured treatment needed a week")
        for key in ("weekly_hours_needed", "functional_impairment", "clinician_risk", "iop<"):
            with self.subTest(key=key):
                self.assertNotContains(page, key)

    def test_level_of_care_page_says_when_the_program_offers_another_level(self):
        referral = self.through_assessment(clinician_risk="high")
        self.login(self.dana)
        page = self.client.get(reverse("intake:level_of_care", args=[referral.code]))
        self.assertContains(page, "Recommendation: Partial hospitalization (PHP)")
        self.assertContains(page, "offers Intensive outpatient (IOP)")

    def test_an_override_without_a_reason_is_refused_on_the_page(self):
        referral = self.through_assessment()
        self.login(self.dana)
        url = reverse("intake:level_of_care", args=[referral.code])
        response = self.client.post(url, {"chosen_level": "php", "variance_reason": ""})
        self.assertContains(response, "Give the reason for choosing a level other", status_code=400)
        self.assertFalse(LevelOfCareDecision.objects.exists())

    def test_directors_find_and_edit_their_rules(self):
        self.login(self.dana)
        page = self.client.get(reverse("intake:referrals"))
        url = reverse("intake:rules", args=[self.program.code])
        self.assertContains(page, url)
        response = self.client.post(url, {"rules": '{"id": "x"}'})
        self.assertContains(response, "field version", status_code=400)
        text = DEFAULT_RULES.read_text().replace('"version": "1.0.0"', '"version": "1.1.0"')
        self.assertRedirects(self.client.post(url, {"rules": text}), url)
        self.assertContains(self.client.get(url), "This program uses its own rules.")

    def test_intake_coordinators_cannot_decide_the_level(self):
        referral = self.through_assessment()
        self.login(self.ivy)
        url = reverse("intake:level_of_care", args=[referral.code])
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.post(url, {"chosen_level": "iop"}).status_code, 403)

    def test_program_rules_must_use_the_levels_a_decision_can_record(self):
        self.login(self.dana)
        url = reverse("intake:rules", args=[self.program.code])
        text = (
            DEFAULT_RULES.read_text()
            .replace('"iop"', '"intensive"')
            .replace('"version": "1.0.0"', '"version": "1.1.0"')
        )
        response = self.client.post(url, {"rules": text})
        self.assertContains(response, "use only the levels", status_code=400)
        referral = self.through_assessment()
        page = self.client.get(reverse("intake:level_of_care", args=[referral.code]))
        self.assertEqual(page.status_code, 200)

    def test_locus_ratings_are_stored_as_entered_and_range_checked(self):
        referral = self.refer()
        actions.record_screening(
            referral, proceed=True, note="", referred_to="", acting_user=self.ivy
        )
        self.login(self.ivy)
        url = reverse("intake:assessment", args=[referral.code])
        data = {
            "presenting_problem": "x",
            "functional_impairment": "mild",
            "clinician_risk": "low",
            "weekly_hours_needed": "9",
            "locus_risk_of_harm": "6",
        }
        self.assertEqual(self.client.post(url, data).status_code, 400)
        data |= {"locus_risk_of_harm": "2", "locus_composite": "17", "locus_level": "3"}
        self.assertEqual(self.client.post(url, data).status_code, 302)
        referral.assessment.refresh_from_db()
        self.assertEqual(referral.assessment.locus_risk_of_harm, 2)
        self.assertEqual(referral.assessment.locus_level, 3)
        with self.assertRaises(IntegrityError), transaction.atomic():
            type(referral.assessment).objects.update(locus_engagement=0)

    def test_a_bad_f_code_is_refused(self):
        referral = self.refer()
        actions.record_screening(
            referral, proceed=True, note="", referred_to="", acting_user=self.ivy
        )
        self.login(self.ivy)
        url = reverse("intake:assessment", args=[referral.code])
        data = {
            "presenting_problem": "x",
            "functional_impairment": "mild",
            "clinician_risk": "low",
            "weekly_hours_needed": "9",
            "diagnoses_text": "F33.1, J45",
        }
        self.assertContains(self.client.post(url, data), "J45: use an ICD-10-CM", status_code=400)

    def test_opening_the_assessment_form_is_an_audited_chart_read(self):
        referral = self.through_assessment()
        self.login(self.dana)
        page = self.client.get(reverse("intake:assessment", args=[referral.code]))
        self.assertContains(page, "Low mood for three months")
        event = AuditEvent.objects.get(event_type="participant.chart_viewed", actor=self.dana)
        self.assertEqual(event.participant, referral.participant)
