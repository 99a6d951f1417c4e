"""Diagnoses captured at intake open the chart's clinical summary."""

from datetime import date
from decimal import Decimal
from unittest import mock

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.careplans import actions as careplans_actions
from openiop.careplans.icd10 import UNKNOWN_TITLE
from openiop.careplans.models import Diagnosis, SummaryRevision
from openiop.intake import actions, hooks
from openiop.testing import BaseTestCase

PERSON = {
    "given_name": "Robin",
    "family_name": "Okafor",
    "date_of_birth": date(1994, 6, 1),
    "home_state": "NY",
    "timezone": "America/New_York",
}


class IntakeDiagnosesTestCase(BaseTestCase):
    def admit(self, codes):
        referral = actions.create_referral(
            program=self.program,
            person=dict(PERSON),
            referral={"source": "self", "reason": "Low mood", "consent_to_contact": True},
            acting_user=self.ivy,
        )
        actions.record_screening(
            referral, proceed=True, note="", referred_to="", acting_user=self.ivy
        )
        actions.save_assessment(
            referral,
            fields={
                "presenting_problem": "Low mood for three months",
                "functional_impairment": "moderate",
                "clinician_risk": "low",
                "weekly_hours_needed": Decimal("9"),
                "needs_24_hour_care": False,
                "diagnoses": codes,
            },
            acting_user=self.alvarez,
        )
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        return actions.admit(referral, acting_user=self.ivy)

    def test_admission_copies_the_intake_codes_first_one_primary(self):
        episode = self.admit(["F33.1", "F41.1", "F50.82"])
        rows = {d.icd10_code: d for d in Diagnosis.objects.filter(participant=episode.participant)}
        self.assertEqual(sorted(rows), ["F33.1", "F41.1", "F50.82"])
        self.assertEqual(rows["F33.1"].rank, Diagnosis.Rank.PRIMARY)
        self.assertEqual(rows["F41.1"].rank, Diagnosis.Rank.SECONDARY)
        self.assertEqual(rows["F41.1"].description, "Generalized anxiety disorder")
        self.assertEqual(rows["F50.82"].description, UNKNOWN_TITLE)
        for row in rows.values():
            self.assertEqual(row.source, Diagnosis.Source.INTAKE)
            # The assessing clinician's diagnoses; the admitting user's action imported them.
            self.assertEqual(row.updated_by, self.alvarez)
        events = AuditEvent.objects.filter(event_type="careplans.diagnosis_added")
        self.assertEqual(events.count(), 3)
        self.assertEqual({e.actor for e in events}, {self.ivy})
        self.assertTrue(all(e.details["source"] == "intake" for e in events))
        self.assertEqual(SummaryRevision.objects.filter(kind="diagnosis").count(), 3)

    def test_the_clinician_completes_an_unknown_title(self):
        episode = self.admit(["F50.82"])
        row = Diagnosis.objects.get(participant=episode.participant)
        self.login(self.dana)
        edit = reverse(
            "careplans:summary_edit", args=[episode.participant.code, "diagnosis", row.code]
        )
        page = self.client.get(edit)
        self.assertContains(page, UNKNOWN_TITLE)
        self.client.post(
            edit,
            {
                "edit-icd10_code": "F50.82",
                "edit-description": "Avoidant/restrictive food intake disorder",
                "edit-rank": "primary",
                "edit-status": "active",
                "edit-version": "1",
            },
        )
        row.refresh_from_db()
        self.assertEqual(row.description, "Avoidant/restrictive food intake disorder")

    def test_charts_admitted_before_the_hook_get_their_diagnoses_when_the_summary_opens(self):
        with mock.patch.object(hooks, "_on_admitted", []):
            episode = self.admit(["F43.10", "F10.20"])
        participant = episode.participant
        self.assertFalse(Diagnosis.objects.filter(participant=participant).exists())
        self.login(self.ivy)
        url = reverse("careplans:summary", args=[participant.code])
        response = self.client.get(url)
        self.assertContains(response, "Post-traumatic stress disorder, unspecified")
        self.assertContains(response, "Alcohol dependence, uncomplicated")
        self.assertEqual(Diagnosis.objects.filter(participant=participant).count(), 2)
        events = AuditEvent.objects.filter(event_type="careplans.diagnosis_added")
        self.assertTrue(all(e.details["automatic"] for e in events))
        # Once only: a second view, or a diagnosis ruled out since, imports nothing again.
        row = Diagnosis.objects.get(participant=participant, icd10_code="F10.20")
        careplans_actions.remove_diagnosis(
            row, status="ruled_out", expected_version=1, acting_user=self.dana
        )
        self.client.get(url)
        self.assertEqual(Diagnosis.objects.filter(participant=participant).count(), 2)
        self.assertEqual(events.count(), 2)

    def test_a_code_already_on_the_chart_is_not_imported_twice(self):
        with mock.patch.object(hooks, "_on_admitted", []):
            episode = self.admit(["F33.1", "F41.1"])
        careplans_actions.add_diagnosis(
            episode.participant,
            fields={"icd10_code": "F41.1", "description": "", "rank": "primary"},
            acting_user=self.dana,
        )
        imported = careplans_actions.import_missing_intake_diagnoses(
            episode.participant, acting_user=self.dana
        )
        self.assertEqual([d.icd10_code for d in imported], ["F33.1"])
        # The clinician's primary stays primary.
        self.assertEqual(imported[0].rank, Diagnosis.Rank.SECONDARY)

    def test_an_admission_without_diagnoses_adds_nothing(self):
        episode = self.admit([])
        self.assertFalse(Diagnosis.objects.filter(participant=episode.participant).exists())
        self.assertEqual(
            careplans_actions.import_missing_intake_diagnoses(
                episode.participant, acting_user=self.dana
            ),
            [],
        )
