"""Questionnaire pages: self-report on a phone, in-session entry, staff review."""

import json
import uuid
from typing import ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle

from openiop.assessments import actions
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.audit.models import AuditEvent
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase

NONE, SEVERAL = "LA6568-5", "LA6569-3"


def phq9_post(action="submit", **answers):
    data = {f"q-{n}": NONE for n in range(1, 10)} | {"action": action}
    for key, value in answers.items():
        data[f"q-{key.removeprefix('i')}"] = value
    return {k: v for k, v in data.items() if v is not None}


class RespondTestCase(BaseTestCase):
    phq9: ClassVar[InstrumentDefinition]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.phq9 = shipped_instrument("phq-9")

    def setUp(self):
        self.assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
        self.url = reverse("assessments:respond", args=[self.assignment.code])

    def test_participant_sees_open_questionnaires(self):
        self.login(self.pat_user)
        response = self.client.get(reverse("assessments:mine"))
        self.assertContains(response, self.url)
        self.assertContains(self.client.get(reverse("home")), self.url)
        self.login(self.quinn_user)
        self.assertNotContains(self.client.get(reverse("home")), self.url)

    def test_the_form_shows_progress_and_the_attribution(self):
        self.login(self.pat_user)
        response = self.client.get(self.url)
        self.assertContains(response, "<span data-answered>0</span> of")
        self.assertContains(response, "Pfizer")
        self.assertContains(response, 'name="q-9"', count=4)

    def test_crisis_resources_wait_beside_item_9(self):
        self.login(self.pat_user)
        page = self.client.get(self.url)
        self.assertContains(page, "data-critical", count=3)
        self.assertContains(page, '<div class="crisis crisis-inline" hidden>')
        autosave = reverse("assessments:autosave", args=[self.assignment.code])
        self.client.post(autosave, {"q-9": SEVERAL})
        page = self.client.get(self.url)
        self.assertContains(page, '<div class="crisis crisis-inline">')

    def test_answers_are_saved_as_you_go_and_resumed(self):
        self.login(self.pat_user)
        autosave = reverse("assessments:autosave", args=[self.assignment.code])
        response = self.client.post(autosave, {"q-1": SEVERAL, "q-2": NONE})
        self.assertEqual(response.json(), {"saved": True, "answered": 2})
        page = self.client.get(self.url)
        self.assertContains(page, f'value="{SEVERAL}" checked')
        self.assertContains(page, "<span data-answered>2</span> of")

    def test_save_and_finish_later_without_javascript(self):
        self.login(self.pat_user)
        response = self.client.post(self.url, {"q-1": SEVERAL, "action": "save"})
        self.assertRedirects(response, self.url)
        self.assertEqual(Response.objects.get().answers, {"1": SEVERAL})

    def test_a_non_critical_submission_shows_no_crisis_box(self):
        self.login(self.pat_user)
        response = self.client.post(self.url, phq9_post(i1=SEVERAL), follow=True)
        self.assertContains(response, "Thank you for your answers")
        self.assertNotContains(response, "crisis-heading")
        self.assertFalse(SafetyAlert.objects.exists())

    def test_item_9_shows_crisis_resources_at_once_and_alerts_the_team(self):
        self.login(self.pat_user)
        response = self.client.post(self.url, phq9_post(i9=SEVERAL), follow=True)
        self.assertContains(response, "crisis-heading")
        self.assertContains(response, 'href="tel:988"')
        self.assertContains(response, "Press 1 for the Veterans Crisis Line")
        self.assertContains(response, 'href="tel:911"')
        self.assertTrue(SafetyAlert.objects.filter(participant=self.pat, status="open").exists())

    def test_unanswered_questions_are_listed_before_submitting(self):
        self.login(self.pat_user)
        response = self.client.post(self.url, phq9_post(i9=None))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Some questions are not answered", status_code=400)
        self.assertContains(response, 'href="#q-9"', status_code=400)
        self.assertEqual(self.assignment.responses.get().status, Response.Status.IN_PROGRESS)
        self.assertFalse(SafetyAlert.objects.exists())

        response = self.client.post(self.url, phq9_post("submit_incomplete", i9=None), follow=True)
        submitted = Response.objects.get()
        self.assertEqual(submitted.status, Response.Status.SUBMITTED)
        self.assertFalse(submitted.complete)
        self.assertContains(response, "crisis-heading")
        self.assertTrue(SafetyAlert.objects.filter(participant=self.pat).exists())

    def test_an_unknown_answer_code_is_refused_and_nothing_is_submitted(self):
        self.login(self.pat_user)
        response = self.client.post(self.url, phq9_post(i3="LA0000-0"))
        self.assertContains(response, "not one of the choices", status_code=400)
        self.assertFalse(Response.objects.filter(status="submitted").exists())

    def test_a_second_submission_changes_nothing(self):
        self.login(self.pat_user)
        self.client.post(self.url, phq9_post())
        response = self.client.post(self.url, phq9_post(i9=SEVERAL))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Response.objects.count(), 1)
        self.assertFalse(SafetyAlert.objects.exists())
        autosave = reverse("assessments:autosave", args=[self.assignment.code])
        self.assertEqual(self.client.post(autosave, {"q-1": SEVERAL}).status_code, 409)

    def test_nobody_answers_a_questionnaire_not_assigned_to_them(self):
        self.login(self.quinn_user)
        self.assertEqual(self.client.post(self.url, phq9_post()).status_code, 404)
        autosave = reverse("assessments:autosave", args=[self.assignment.code])
        self.assertEqual(self.client.post(autosave, {"q-1": NONE}).status_code, 404)
        unknown = reverse("assessments:respond", args=[uuid.uuid4()])
        self.assertEqual(self.client.post(unknown, phq9_post()).status_code, 404)
        self.assertFalse(Response.objects.exists())

    def test_clinician_administers_in_session(self):
        self.login(self.alvarez)
        self.client.get(self.url)
        self.assertTrue(
            AuditEvent.objects.filter(event_type="assessment.form_opened", actor=self.alvarez)
        )
        response = self.client.post(self.url, phq9_post(i1=SEVERAL))
        submitted = Response.objects.get()
        self.assertRedirects(response, submitted.get_absolute_url())
        self.assertEqual(submitted.source, Response.Source.CLINICIAN)
        self.assertEqual(submitted.submitted_by, self.alvarez)

    def test_asq_question_5_is_hidden_until_a_yes_or_a_refusal(self):
        asq = shipped_instrument("asq")
        assignment = actions.assign_instrument(self.pat, asq, acting_user=self.alvarez)
        self.login(self.pat_user)
        page = self.client.get(reverse("assessments:respond", args=[assignment.code]))
        self.assertContains(page, 'id="q-5" data-enable-when=')
        self.assertRegex(page.content.decode(), r'id="q-5" data-enable-when="[^"]*" hidden')


class StaffReviewTestCase(BaseTestCase):
    def setUp(self):
        phq9 = shipped_instrument("phq-9")
        assignment = actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)
        answers = {str(n): SEVERAL for n in range(1, 10)} | {"9": NONE}
        self.response = actions.answer(
            assignment,
            answers,
            intent=actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        ).response

    def test_participant_page_lists_scores(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("assessments:participant", args=[self.pat.code]))
        self.assertContains(page, "PHQ-9 total score: 8 (Mild)")

    def test_participant_page_queries_stay_constant(self):
        self.login(self.alvarez)
        url = reverse("assessments:participant", args=[self.pat.code])
        with CaptureQueriesContext(connection) as one:
            self.client.get(url)
        for key in ("gad-7", "phq-2", "pcl-5"):
            instrument = shipped_instrument(key)
            actions.assign_instrument(self.pat, instrument, acting_user=self.alvarez)
        with CaptureQueriesContext(connection) as more:
            self.client.get(url)
        self.assertEqual(len(more), len(one))

    def test_response_page_shows_answers_and_findings(self):
        self.login(self.sam)
        page = self.client.get(self.response.get_absolute_url())
        self.assertContains(page, "Positive screen for major depression")
        self.assertContains(page, f'value="{SEVERAL}" checked data-required disabled')
        self.assertNotContains(page, "Correct the answers")
        self.assertTrue(
            AuditEvent.objects.filter(event_type="assessment.response_viewed", actor=self.sam)
        )

    def test_fhir_export_is_a_valid_bundle(self):
        self.login(self.alvarez)
        export = self.client.get(reverse("assessments:response_fhir", args=[self.response.code]))
        self.assertEqual(export["Content-Type"], "application/fhir+json; charset=utf-8")
        bundle = json.loads(export.content)
        Bundle.model_validate(bundle)
        types = [e["resource"]["resourceType"] for e in bundle["entry"]]
        self.assertEqual(types, ["QuestionnaireResponse", "Observation"])
        self.assertEqual(bundle["entry"][1]["resource"]["valueInteger"], 8)
        self.assertTrue(AuditEvent.objects.filter(event_type="assessment.exported"))

    def test_correction_needs_a_reason_and_links_the_new_response(self):
        self.login(self.alvarez)
        url = reverse("assessments:correct", args=[self.response.code])
        data = {f"q-{n}": NONE for n in range(1, 10)}
        self.assertEqual(self.client.post(url, data).status_code, 400)
        response = self.client.post(url, data | {"reason": "Read items back in session"})
        correction = Response.objects.get(replaces=self.response)
        self.assertRedirects(response, correction.get_absolute_url())
        self.assertEqual(correction.scores["total"]["value"], 0)
        self.assertEqual(self.client.get(url).status_code, 200)
        again = self.client.post(url, data | {"reason": "again"})
        self.assertContains(again, "already been corrected", status_code=400)

    def test_opening_the_correction_form_is_an_audited_read(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("assessments:correct", args=[self.response.code]))
        self.assertContains(page, f'value="{SEVERAL}" checked')
        event = AuditEvent.objects.get(event_type="assessment.response_viewed")
        self.assertEqual((event.actor, event.participant), (self.alvarez, self.pat))
        self.assertEqual(event.target_id, str(self.response.code))

    def test_assigning_from_the_participant_page(self):
        self.login(self.ivy)
        gad7 = shipped_instrument("gad-7")
        url = reverse("assessments:assign", args=[self.pat.code])
        self.client.post(url, {"instrument": gad7.pk})
        self.assertTrue(Assignment.objects.filter(participant=self.pat, instrument=gad7).exists())
