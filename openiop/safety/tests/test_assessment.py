"""The brief safety assessment: started from an alert or the chart, written with autosave by a
licensed clinician, signed by its author, then read-only; a site-loaded suicide-risk instrument
in place of the structured questions. (The acknowledgement rule: test_acknowledgement_rule.py.)
"""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import time_machine
from django.core.management import call_command
from django.urls import reverse

from openiop.assessments import actions as assessment_actions
from openiop.assessments.definitions import DefinitionError, parse_definition
from openiop.assessments.models import InstrumentDefinition
from openiop.audit.models import AuditEvent
from openiop.safety import actions
from openiop.safety.actions import assessment as assessing
from openiop.safety.models import AlertEvent, SafetyAlert, SafetyAssessment
from openiop.safety.tests.assessment_helpers import COMPLETE
from openiop.telehealth.models import Attendance
from openiop.testing import BaseTestCase

FIXTURE = Path(__file__).parent / "fixtures" / "site-risk-instrument.json"
SCRIPT = '<script>alert("x")</script>'
NOW = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class AssessmentTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.alert = self.high_alert(self.pat)

    def high_alert(self, participant, rule="phq9_item9_high"):
        return actions.raise_alert(
            participant,
            kind=SafetyAlert.Kind.CRITICAL_ITEM,
            acting_user=participant.user,
            rule=rule,
        )

    def start(self, user=None, alert=None):
        user = user or self.alvarez
        self.login(user)
        response = self.client.post(
            reverse("safety:assessment_start", args=[(alert or self.alert).code])
        )
        self.assertEqual(response.status_code, 302)
        return SafetyAssessment.objects.filter(author=user).latest("id")

    def post_form(self, assessment, name, **values):
        data = {"edit_version": str(assessment.version), **values}
        return self.client.post(reverse(name, args=[assessment.code]), data)

    def sign(self, assessment, **values):
        return self.post_form(assessment, "safety:assessment_sign", **{**COMPLETE, **values})


class WritingAndSigningTestCase(AssessmentTestCase):
    def test_a_clinician_starts_it_from_the_alert_signs_it_and_it_is_then_read_only(self):
        assessment = self.start()
        self.assertEqual(assessment.alert, self.alert)
        self.assertEqual(assessment.participant, self.pat)
        alert_page = self.client.get(self.alert.get_absolute_url())
        self.assertContains(alert_page, reverse("safety:assessment_edit", args=[assessment.code]))
        edit = self.client.get(reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertContains(edit, "data-autosave-url")
        self.assertContains(edit, "js/autosave.js")

        response = self.sign(assessment)
        self.assertRedirects(response, assessment.get_absolute_url())
        assessment.refresh_from_db()
        self.assertTrue(assessment.is_signed)
        self.assertTrue(assessing.signature_matches(assessment))
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, "The content matches what was signed")
        self.assertContains(page, "data-autosave-clear")
        self.assertNotContains(page, "Continue writing")

        # Read-only: the editor sends back to the page, autosave and signing refuse.
        edit = self.client.get(reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertRedirects(edit, assessment.get_absolute_url())
        autosave = self.post_form(assessment, "safety:assessment_autosave", formulation="Later")
        self.assertEqual(autosave.status_code, 409)
        self.assertEqual(autosave.json()["error"], "signed")
        with self.assertRaises(assessing.AssessmentLocked):
            assessing.save_draft(
                assessment,
                values={"formulation": "Later"},
                expected_version=assessment.version,
                acting_user=self.alvarez,
            )
        assessment.refresh_from_db()
        self.assertEqual(assessment.formulation, COMPLETE["formulation"])

    def test_starting_twice_opens_the_same_draft(self):
        first = self.start()
        second = self.start()
        self.assertEqual(first, second)
        self.assertEqual(SafetyAssessment.objects.count(), 1)

    def test_the_on_call_clinician_off_the_team_writes_it_from_the_alert(self):
        assessment = self.start(self.chen)
        self.assertEqual(self.sign(assessment).status_code, 302)
        page = self.client.get(assessment.get_absolute_url())
        self.assertEqual(page.status_code, 200)

    def test_a_director_of_a_clinical_discipline_writes_one_from_the_chart(self):
        self.login(self.dana)
        page = self.client.get(reverse("safety:assessment_list", args=[self.pat.code]))
        self.assertContains(page, "Start a brief safety assessment")
        response = self.client.post(reverse("safety:assessment_start_chart", args=[self.pat.code]))
        assessment = SafetyAssessment.objects.get(author=self.dana)
        self.assertRedirects(response, reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertIsNone(assessment.alert)

    def test_peer_specialists_intake_coordinators_and_administrators_cannot_author(self):
        self.login(self.sam)
        start = reverse("safety:assessment_start", args=[self.alert.code])
        self.assertEqual(self.client.post(start).status_code, 403)
        self.assertEqual(
            self.client.post(
                reverse("safety:assessment_start_chart", args=[self.pat.code])
            ).status_code,
            403,
        )
        self.login(self.ivy)
        self.assertEqual(
            self.client.post(
                reverse("safety:assessment_start_chart", args=[self.pat.code])
            ).status_code,
            403,
        )
        self.assertNotContains(
            self.client.get(reverse("safety:assessment_list", args=[self.pat.code])),
            "Start a brief safety assessment",
        )
        for user in (self.sam, self.ivy, self.admin):
            with self.assertRaises(assessing.AssessmentError):
                assessing.start_assessment(self.pat, acting_user=user)
        self.assertFalse(SafetyAssessment.objects.exists())

    def test_only_the_author_changes_or_signs_a_draft(self):
        assessment = self.start()
        self.login(self.chen)  # on call: may act on the alert and read the draft
        self.assertEqual(self.client.get(assessment.get_absolute_url()).status_code, 200)
        for name in ("safety:assessment_edit", "safety:assessment_sign"):
            self.assertEqual(self.post_form(assessment, name, **COMPLETE).status_code, 403)
        autosave = self.post_form(assessment, "safety:assessment_autosave", formulation="x")
        self.assertEqual(autosave.status_code, 403)
        with self.assertRaises(assessing.AssessmentError):
            assessing.sign_assessment(
                assessment, expected_version=assessment.version, acting_user=self.chen
            )
        assessment.refresh_from_db()
        self.assertFalse(assessment.is_signed)
        self.assertEqual(assessment.formulation, "")


class RequiredAtSigningTestCase(AssessmentTestCase):
    def test_signing_needs_every_structured_part_and_keeps_the_text(self):
        assessment = self.start()
        response = self.post_form(
            assessment,
            "safety:assessment_sign",
            risk_factors="Only this so far",
            lethal_means="has_access",
        )
        self.assertEqual(response.status_code, 400)
        for message in (
            "Describe the protective factors.",
            "Describe recent suicidal thoughts and behaviour, or none.",
            "Say which means, and what was agreed to make them safe.",
            "Choose the risk level.",
            "Write the risk formulation.",
            "Choose the disposition.",
        ):
            self.assertContains(response, message, status_code=400)
        self.assertContains(response, "Only this so far", status_code=400)
        assessment.refresh_from_db()
        self.assertFalse(assessment.is_signed)
        self.assertEqual(assessment.risk_factors, "Only this so far")  # the text was saved

    def test_urgent_evaluation_and_emergency_services_need_their_details(self):
        assessment = self.start()
        for disposition in ("urgent_evaluation", "emergency_services"):
            response = self.sign(assessment, disposition=disposition)
            self.assertEqual(response.status_code, 400)
            self.assertContains(
                response,
                "Say where the participant is going, with whom, and when.",
                status_code=400,
            )
            assessment.refresh_from_db()
        self.assertEqual(
            self.sign(
                assessment, disposition="urgent_evaluation", disposition_detail="ED today"
            ).status_code,
            302,
        )

    def test_a_stale_form_is_refused_as_a_conflict_with_the_text_kept(self):
        assessment = self.start()
        assessing.save_draft(
            assessment,
            values={"formulation": "From the other tab"},
            expected_version=1,
            acting_user=self.alvarez,
        )
        response = self.client.post(
            reverse("safety:assessment_edit", args=[assessment.code]),
            {"edit_version": "1", "formulation": "From this tab"},
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "From this tab", status_code=409)
        assessment.refresh_from_db()
        self.assertEqual(assessment.formulation, "From the other tab")


class BadInputTestCase(AssessmentTestCase):
    def test_10000_characters_are_accepted_in_every_text(self):
        assessment = self.start()
        long = "a" * 10_000
        values = {name: long for name in assessing.TEXT_FIELDS}
        response = self.sign(assessment, **values)
        self.assertEqual(response.status_code, 302)
        assessment.refresh_from_db()
        self.assertTrue(assessment.is_signed)
        self.assertEqual(len(assessment.formulation), 10_000)

    def test_a_longer_text_is_refused_with_a_message_and_kept_on_the_page(self):
        assessment = self.start()
        too_long = "b" * 10_001
        response = self.post_form(
            assessment, "safety:assessment_edit", formulation=too_long, risk_factors="kept"
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "This is 10001 characters long; the limit is 10,000.", status_code=400
        )
        self.assertContains(response, too_long, status_code=400)
        autosave = self.post_form(assessment, "safety:assessment_autosave", formulation=too_long)
        self.assertEqual(autosave.status_code, 400)
        self.assertIn("Risk formulation", autosave.json()["message"])
        assessment.refresh_from_db()
        self.assertEqual(assessment.formulation, "")
        with self.assertRaises(assessing.AssessmentError):
            assessing.save_draft(
                assessment,
                values={"formulation": too_long},
                expected_version=assessment.version,
                acting_user=self.alvarez,
            )

    def test_script_in_every_field_renders_inert(self):
        assessment = self.start()
        values = {name: SCRIPT for name in assessing.TEXT_FIELDS}
        values["disposition"] = "emergency_services"
        edit = self.post_form(assessment, "safety:assessment_edit", **values)
        self.assertEqual(edit.status_code, 302)
        page = self.client.get(reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertNotContains(page, SCRIPT)
        self.assertContains(page, "&lt;script&gt;")
        assessment.refresh_from_db()
        self.assertEqual(self.sign(assessment, **values).status_code, 302)
        for url in (
            assessment.get_absolute_url(),
            self.alert.get_absolute_url(),
            reverse("safety:assessment_list", args=[self.pat.code]),
        ):
            page = self.client.get(url)
            self.assertNotContains(page, SCRIPT)
        self.assertContains(self.client.get(assessment.get_absolute_url()), "&lt;script&gt;")


class AutosaveTestCase(AssessmentTestCase):
    def test_autosave_saves_the_draft_and_reports_the_version(self):
        assessment = self.start()
        response = self.post_form(
            assessment, "safety:assessment_autosave", risk_factors="Typed so far"
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertTrue(body["saved"])
        self.assertEqual(body["edit_version"], 2)
        assessment.refresh_from_db()
        self.assertEqual(assessment.risk_factors, "Typed so far")
        event = AuditEvent.objects.filter(event_type="safety.assessment_saved").latest("seq")
        self.assertEqual(event.details["fields"], ["risk_factors"])
        self.assertTrue(event.details["automatic"])
        self.assertNotIn("Typed", json.dumps(event.details))

    def test_autosave_from_an_older_version_is_a_conflict(self):
        assessment = self.start()
        self.post_form(assessment, "safety:assessment_autosave", risk_factors="First")
        stale = self.client.post(
            reverse("safety:assessment_autosave", args=[assessment.code]),
            {"edit_version": "1", "risk_factors": "Second"},
        )
        self.assertEqual(stale.status_code, 409)
        self.assertEqual(stale.json()["error"], "conflict")

    def test_autosave_when_signed_out_answers_401(self):
        assessment = self.start()
        self.client.logout()
        response = self.post_form(assessment, "safety:assessment_autosave", risk_factors="x")
        self.assertEqual(response.status_code, 401)


class TrailAndTimelineTestCase(AssessmentTestCase):
    def test_starting_and_signing_from_an_alert_are_on_its_timeline_and_audited(self):
        assessment = self.start()
        self.sign(assessment)
        kinds = list(self.alert.events.values_list("kind", flat=True))
        self.assertIn(AlertEvent.Kind.ASSESSMENT_STARTED, kinds)
        self.assertIn(AlertEvent.Kind.ASSESSMENT_SIGNED, kinds)
        signed = AuditEvent.objects.get(event_type="safety.assessment_signed")
        self.assertEqual(signed.details["risk_level"], "moderate")
        self.assertEqual(signed.details["disposition"], "safety_plan")
        self.assertEqual(signed.details["alert"], str(self.alert.code))
        self.assertTrue(AuditEvent.objects.filter(event_type="safety.assessment_started").exists())
        for event in AuditEvent.objects.filter(event_type__startswith="safety.assessment"):
            self.assertNotIn("job loss", json.dumps(event.details))

    def test_a_chart_assessment_writes_no_timeline(self):
        assessing.start_assessment(self.quinn, acting_user=self.chen)
        self.assertFalse(
            AlertEvent.objects.filter(kind=AlertEvent.Kind.ASSESSMENT_STARTED).exists()
        )

    def test_reading_an_assessment_records_one_read(self):
        assessment = self.start()
        before = AuditEvent.objects.filter(event_type="safety.assessment_viewed").count()
        self.login(self.sam)
        self.client.get(assessment.get_absolute_url())
        after = AuditEvent.objects.filter(event_type="safety.assessment_viewed").count()
        self.assertEqual(after - before, 1)

    def test_a_changed_signed_assessment_no_longer_matches_its_signature(self):
        assessment = self.start()
        self.sign(assessment)
        SafetyAssessment.objects.filter(pk=assessment.pk).update(formulation="Altered")
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, "no longer matches what was signed")


class NextStepsTestCase(AssessmentTestCase):
    def test_emergency_services_shows_988_and_911_with_the_reported_location(self):
        Attendance.objects.create(
            session_code=self.pat.code,
            participant=self.pat,
            location="12 Synthetic Lane, Albany",
            location_state="NY",
            callback_phone="+15555550100",
            private_place=True,
            location_confirmed_at=NOW - timedelta(hours=1),
            waiting_since=NOW - timedelta(hours=1),
        )
        assessment = self.start()
        self.sign(assessment, disposition="emergency_services", disposition_detail="Mobile crisis")
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, 'href="tel:988"')
        self.assertContains(page, 'href="sms:988"')
        self.assertContains(page, "988lifeline.org")
        self.assertContains(page, 'href="tel:911"')
        self.assertContains(page, "12 Synthetic Lane, Albany")

    def test_urgent_evaluation_without_a_reported_location_says_to_ask(self):
        assessment = self.start()
        self.sign(assessment, disposition="urgent_evaluation", disposition_detail="Same-day visit")
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, "next-steps-heading")
        self.assertContains(page, "ask the participant where they are")

    def test_a_safety_plan_disposition_shows_no_emergency_steps(self):
        assessment = self.start()
        self.sign(assessment)
        page = self.client.get(assessment.get_absolute_url())
        self.assertNotContains(page, "next-steps-heading")
        self.assertNotContains(page, 'href="sms:988"')


class SiteInstrumentTestCase(AssessmentTestCase):
    """A site-licensed suicide-risk instrument (a synthetic stand-in here, never real C-SSRS
    text) loaded with load_instrument replaces the structured questions."""

    def setUp(self):
        super().setUp()
        out = StringIO()
        call_command("load_instrument", str(FIXTURE), by=self.admin.email, stdout=out)
        self.assertIn("Loaded", out.getvalue())
        self.instrument = InstrumentDefinition.objects.get(key="site-risk-check")

    def completed_response(self, participant, instrument=None):
        assignment = assessment_actions.assign_instrument(
            participant, instrument or self.instrument, acting_user=self.alvarez
        )
        answered = assessment_actions.answer(
            assignment,
            {"1": "yes", "2": "no"},
            intent=assessment_actions.Intent.SUBMIT,
            acting_user=self.alvarez,
            source="clinician",
        )
        self.assertTrue(answered.submitted)
        return answered.response

    def test_the_use_member_marks_the_instrument_and_other_uses_are_refused(self):
        self.assertEqual(self.instrument.definition.use, "suicide_risk_assessment")
        raw = json.loads(FIXTURE.read_text())
        raw["scoring"]["use"] = "something_else"
        with self.assertRaisesMessage(DefinitionError, "scoring.use"):
            parse_definition(json.dumps(raw), source="bad.json")

    def test_a_linked_completed_response_replaces_the_structured_questions(self):
        assessment = self.start()
        page = self.client.get(reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertContains(page, "Site risk check (synthetic placeholder)")
        self.assertContains(page, "There is no completed response yet")
        response = self.completed_response(self.pat)
        page = self.client.get(reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertContains(page, f'value="{response.pk}"')
        signed = self.post_form(
            assessment,
            "safety:assessment_sign",
            instrument_response=str(response.pk),
            risk_level="high",
            formulation="High risk on the site instrument and interview.",
            disposition="urgent_evaluation",
            disposition_detail="Same-day psychiatric evaluation.",
        )
        self.assertEqual(signed.status_code, 302)
        assessment.refresh_from_db()
        self.assertTrue(assessment.is_signed)
        self.assertEqual(assessment.instrument_response, response)
        self.assertEqual(assessment.risk_factors, "")
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, response.get_absolute_url())

    def test_formulation_risk_level_and_disposition_are_still_required(self):
        assessment = self.start()
        response = self.completed_response(self.pat)
        page = self.post_form(
            assessment, "safety:assessment_sign", instrument_response=str(response.pk)
        )
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "Write the risk formulation.", status_code=400)
        self.assertNotContains(page, "Describe the protective factors.", status_code=400)

    def test_only_a_completed_response_of_the_flagged_instrument_for_this_participant(self):
        assessment = self.start()
        quinns = self.completed_response(self.quinn)
        with self.assertRaises(assessing.AssessmentError):
            assessing.save_draft(
                assessment,
                values={"instrument_response_id": quinns.pk},
                expected_version=assessment.version,
                acting_user=self.alvarez,
            )
        page = self.post_form(
            assessment, "safety:assessment_edit", instrument_response=str(quinns.pk)
        )
        self.assertEqual(page.status_code, 400)

    def test_without_a_site_instrument_the_page_shows_only_openiops_questions(self):
        InstrumentDefinition.objects.filter(pk=self.instrument.pk).delete()
        assessment = self.start()
        page = self.client.get(reverse("safety:assessment_edit", args=[assessment.code]))
        self.assertNotContains(page, "suicide-risk instrument</legend>")
        self.assertContains(page, "Risk factors")
