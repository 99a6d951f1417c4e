"""The clinical review's faults on the assessment and safety intake path (issue 10), each test
named after the rule it protects (CLINICAL.md "Decisions" and §2.6a)."""

import json
from typing import ClassVar

import pytest
from django.urls import reverse

from openiop.assessments import actions
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.definitions import DefinitionError, parse_definition, shipped_definitions
from openiop.assessments.forms import questions_for
from openiop.assessments.models import InstrumentDefinition, Response
from openiop.assessments.scoring import score
from openiop.safety.acuity import RULES
from openiop.safety.models import Acuity, SafetyAlert
from openiop.testing import BaseTestCase

DEFINITIONS = shipped_definitions()
PHQ9, GAD7, ASQ = DEFINITIONS["phq-9"], DEFINITIONS["gad-7"], DEFINITIONS["asq"]
NONE, SEVERAL, HALF, NEARLY = "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"


def phq9(item9=NONE, **items):
    answers = {str(n): NONE for n in range(1, 9)} | {"9": item9}
    answers.update({k.removeprefix("i"): v for k, v in items.items()})
    return {k: v for k, v in answers.items() if v is not None}


# --- ASQ: a declined or blank answer screens positive (NIMH) ----------------------------------


def test_asq_declined_answer_counts_as_a_positive_screen():
    result = score(ASQ, {"1": "no", "2": "declined", "3": "no", "4": "no", "5": "no"})
    assert result.complete
    assert result.findings["positive-screen"] is True
    assert result.findings["non-acute-positive"] is True
    assert [(hit.item, hit.rule) for hit in result.critical] == [("2", "asq_positive")]


def test_asq_every_question_declined_is_a_positive_screen():
    result = score(ASQ, dict.fromkeys("1234", "declined") | {"5": "no"})
    assert result.findings["positive-screen"] is True
    assert {hit.rule for hit in result.critical} == {"asq_positive"}


def test_asq_every_question_blank_is_a_positive_screen():
    result = score(ASQ, {})
    assert not result.complete
    assert result.missing == ("1", "2", "3", "4")
    assert result.findings["positive-screen"] is True
    assert [(hit.item, hit.reason, hit.rule) for hit in result.critical] == [
        (n, "missing", "asq_positive") for n in "1234"
    ]


def test_asq_a_declined_answer_asks_the_acuity_question():
    result = score(ASQ, {"1": "no", "2": "no", "3": "no", "4": "declined"})
    assert result.missing == ("5",)
    questions = {q.item.link_id: q for q in questions_for(ASQ, {"4": "declined"})}
    assert questions["5"].enabled


def test_asq_acuity_yes_is_an_acute_positive():
    result = score(ASQ, {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "yes"})
    assert result.findings["acute-positive"] is True
    assert result.findings["non-acute-positive"] is False
    assert [hit.rule for hit in result.critical] == ["asq_positive", "asq_acute_positive"]


def test_asq_acuity_declined_is_an_acute_positive():
    result = score(ASQ, {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "declined"})
    assert result.findings["acute-positive"] is True


def test_asq_questions_are_numbered_as_printed():
    numbers = [q.number for q in questions_for(ASQ, {}) if q.item.is_question]
    assert numbers == ["1", "2", "3", "4", "4a", "4b", "5"]
    assert [q.number for q in questions_for(PHQ9, {}) if q.item.is_question][-1] == "10"


# --- "Unknown" only when a missing answer could change the outcome ---------------------------


def test_phq9_positive_screen_is_decided_when_answered_items_reach_the_cut_point():
    result = score(PHQ9, phq9(item9=None, i1=NEARLY, i2=NEARLY, i3=NEARLY, i4=NEARLY))
    assert not result.complete
    assert result.missing == ("9",)
    assert result.scores["total"].value is None  # the total is incomplete, never read as 0
    assert (result.scores["total"].low, result.scores["total"].high) == (12, 15)
    assert result.findings["positive-screen"] is True


def test_phq9_negative_screen_is_decided_when_missing_items_cannot_reach_the_cut_point():
    result = score(PHQ9, phq9(item9=None, i1=SEVERAL, i2=SEVERAL))
    assert result.findings["positive-screen"] is False


def test_phq9_screen_is_unknown_only_when_a_missing_answer_could_change_it():
    result = score(PHQ9, phq9(item9=None, i1=NEARLY, i2=NEARLY))  # 6 + at most 3
    assert result.findings["positive-screen"] is False
    result = score(PHQ9, phq9(item9=None, i1=NEARLY, i2=NEARLY, i3=SEVERAL))  # 7 + 0..3
    assert result.findings["positive-screen"] is None


def test_gad7_positive_screen_is_decided_when_answered_items_reach_the_cut_point():
    result = score(GAD7, {"1": NEARLY, "2": NEARLY, "3": NEARLY, "4": SEVERAL})  # 10
    assert result.missing == ("5", "6", "7")
    assert result.scores["total"].value is None
    assert result.findings["positive-screen"] is True


def test_gad7_negative_screen_is_decided_when_missing_items_cannot_reach_the_cut_point():
    result = score(GAD7, {"1": NONE, "2": NONE, "3": NONE, "4": NONE})  # 0 + at most 9
    assert result.scores["total"].high == 9
    assert result.findings["positive-screen"] is False


def test_gad7_screen_is_unknown_only_when_a_missing_answer_could_change_it():
    result = score(GAD7, {"1": SEVERAL, "2": NONE, "3": NONE, "4": NONE})  # 1 + 0..9
    assert result.findings["positive-screen"] is None


# --- each critical hit carries the acuity rule its definition names --------------------------


@pytest.mark.parametrize(
    ("item9", "rule"),
    [
        (SEVERAL, "phq9_item9_low"),
        (HALF, "phq9_item9_high"),
        (NEARLY, "phq9_item9_high"),
        (None, "phq9_item9_missing"),
    ],
)
def test_phq9_item_9_hit_carries_its_acuity_rule(item9, rule):
    assert [hit.rule for hit in score(PHQ9, phq9(item9=item9)).critical] == [rule]


def test_every_shipped_alert_rule_is_a_safety_acuity_rule():
    for definition in DEFINITIONS.values():
        for critical in definition.critical_items:
            for alert_rule in critical.alert_rules:
                assert alert_rule.rule in RULES, (definition.id, alert_rule.rule)


def test_an_alert_rule_needs_a_rule_key_and_a_score_or_missing():
    raw = json.loads(json.dumps(PHQ9.raw))
    raw["scoring"]["criticalItems"][0]["alertRules"] = [{"rule": "Bad Rule!", "scoreAtLeast": 2}]
    with pytest.raises(DefinitionError, match=r"alertRules\[0\]\.rule"):
        parse_definition(json.dumps(raw), source="x.json")
    raw["scoring"]["criticalItems"][0]["alertRules"] = [{"rule": "phq9_item9_low"}]
    with pytest.raises(DefinitionError, match="scoreAtLeast"):
        parse_definition(json.dumps(raw), source="x.json")


# --- on the database: alerts, their acuity, drafts, and the FHIR export ----------------------


class ClinicalReviewTestCase(BaseTestCase):
    phq9: ClassVar[InstrumentDefinition]
    asq: ClassVar[InstrumentDefinition]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.phq9 = shipped_instrument("phq-9")
        cls.asq = shipped_instrument("asq")

    def answer(self, instrument, answers, intent=actions.Intent.SUBMIT_INCOMPLETE, assignment=None):
        assignment = assignment or actions.assign_instrument(
            self.pat, instrument, acting_user=self.alvarez
        )
        return actions.answer(
            assignment, answers, intent=intent, acting_user=self.pat_user, source="participant"
        ).response

    def close(self, alert):
        from openiop.safety.actions import acknowledge_alert

        acknowledge_alert(alert, action="contacted", note="Called", acting_user=self.alvarez)

    def test_asq_submitted_with_every_question_declined_raises_a_high_alert(self):
        self.answer(self.asq, dict.fromkeys("1234", "declined") | {"5": "no"})
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.acuity, Acuity.HIGH)
        self.assertEqual(alert.triggers.get().rule, "asq_positive")

    def test_asq_submitted_with_every_question_blank_raises_an_alert(self):
        response = self.answer(self.asq, {})
        self.assertFalse(response.complete)
        self.assertTrue(response.findings["positive-screen"])
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.triggers.get().rule, "asq_positive")
        self.assertEqual(alert.acuity, Acuity.HIGH)

    def test_asq_acute_positive_is_an_emergency_and_item_9_several_days_is_elevated(self):
        self.answer(self.phq9, phq9(item9=SEVERAL))
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.acuity, Acuity.ELEVATED)
        self.assertEqual(alert.triggers.get().rule, "phq9_item9_low")
        self.answer(self.asq, {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "yes"})
        alert.refresh_from_db()
        self.assertEqual(alert.acuity, Acuity.EMERGENCY)
        self.assertEqual(
            list(alert.triggers.values_list("rule", "acuity")),
            [("phq9_item9_low", Acuity.ELEVATED), ("asq_acute_positive", Acuity.EMERGENCY)],
        )

    def test_alert_page_shows_each_triggers_acuity_and_rule(self):
        self.answer(self.asq, {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "yes"})
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.login(self.alvarez)
        page = self.client.get(reverse("safety:alert", args=[alert.code]))
        self.assertContains(page, '<strong class="trigger-acuity">Emergency</strong>')
        self.assertContains(page, "ASQ acute positive (imminent risk)")

    def test_phq9_item_9_missing_alert_carries_its_rule(self):
        self.answer(self.phq9, phq9(item9=None))
        trigger = SafetyAlert.objects.get().triggers.get()
        self.assertEqual((trigger.rule, trigger.acuity), ("phq9_item9_missing", Acuity.ELEVATED))

    def test_phq9_item_9_more_than_half_the_days_is_high(self):
        self.answer(self.phq9, phq9(item9=HALF))
        self.assertEqual(SafetyAlert.objects.get().acuity, Acuity.HIGH)

    def test_a_critical_answer_autosaved_and_never_submitted_raises_an_alert(self):
        assignment = actions.assign_instrument(self.pat, self.asq, acting_user=self.alvarez)
        self.login(self.pat_user)
        autosave = reverse("assessments:autosave", args=[assignment.code])
        self.assertEqual(self.client.post(autosave, {"q-1": "declined"}).status_code, 200)
        alert = SafetyAlert.objects.get(participant=self.pat)
        trigger = alert.triggers.get()
        self.assertEqual((trigger.signal, trigger.rule), ("answer_saved", "asq_positive"))
        draft = Response.objects.get(assignment=assignment)
        self.assertEqual((trigger.response, draft.status), (draft, Response.Status.IN_PROGRESS))

    def test_autosaving_the_same_critical_answers_again_adds_nothing(self):
        assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
        for answers in ({"9": SEVERAL}, {"9": SEVERAL, "1": NONE}):
            self.answer(self.phq9, answers, intent=actions.Intent.SAVE, assignment=assignment)
        self.assertEqual(SafetyAlert.objects.get().trigger_count, 1)

    def test_changing_item_9_from_1_to_3_after_the_alert_was_closed_raises_a_new_alert(self):
        assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
        self.answer(self.phq9, {"9": SEVERAL}, intent=actions.Intent.SAVE, assignment=assignment)
        first = SafetyAlert.objects.get()
        self.close(first)
        self.answer(self.phq9, {"9": NEARLY}, intent=actions.Intent.SAVE, assignment=assignment)
        second = SafetyAlert.objects.get(status=SafetyAlert.Status.OPEN)
        self.assertNotEqual(first, second)
        self.assertEqual(second.acuity, Acuity.HIGH)
        self.assertEqual(second.triggers.get().rule, "phq9_item9_high")

    def test_changing_item_9_while_the_alert_is_open_adds_a_signal_and_raises_acuity(self):
        assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
        self.answer(self.phq9, {"9": SEVERAL}, intent=actions.Intent.SAVE, assignment=assignment)
        self.answer(self.phq9, {"9": NEARLY}, intent=actions.Intent.SAVE, assignment=assignment)
        alert = SafetyAlert.objects.get()
        self.assertEqual(alert.trigger_count, 2)
        self.assertEqual(alert.acuity, Acuity.HIGH)

    def test_a_critical_answer_still_in_the_draft_after_the_alert_was_closed_signals_again(self):
        assignment = actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)
        self.answer(self.phq9, {"9": SEVERAL}, intent=actions.Intent.SAVE, assignment=assignment)
        self.close(SafetyAlert.objects.get())
        self.answer(
            self.phq9, {"9": SEVERAL, "1": NONE}, intent=actions.Intent.SAVE, assignment=assignment
        )
        self.assertEqual(SafetyAlert.objects.filter(status=SafetyAlert.Status.OPEN).count(), 1)

    def test_a_phq9_submitted_without_item_9_is_not_exported_as_completed(self):
        response = self.answer(self.phq9, phq9(item9=None, i1=NEARLY))
        self.login(self.alvarez)
        bundle = self.client.get(reverse("assessments:response_fhir", args=[response.code])).json()
        resources = [entry["resource"] for entry in bundle["entry"]]
        questionnaire_response = resources[0]
        self.assertEqual(questionnaire_response["status"], "stopped")
        self.assertNotIn("9", [item["linkId"] for item in questionnaire_response["item"]])
        # No total: an incomplete score has no value to export.
        self.assertEqual([r["resourceType"] for r in resources], ["QuestionnaireResponse"])

    def test_a_complete_phq9_is_exported_as_completed(self):
        response = self.answer(self.phq9, phq9())
        self.login(self.alvarez)
        bundle = self.client.get(reverse("assessments:response_fhir", args=[response.code])).json()
        self.assertEqual(bundle["entry"][0]["resource"]["status"], "completed")

    def test_response_page_reports_a_decided_finding_and_an_incomplete_total(self):
        response = self.answer(
            self.phq9, phq9(item9=None, i1=NEARLY, i2=NEARLY, i3=NEARLY, i4=NEARLY)
        )
        self.login(self.alvarez)
        page = self.client.get(response.get_absolute_url())
        self.assertContains(page, "No — not answered: 9")
        self.assertContains(page, "PHQ-9 total score: incomplete, not scored (12–15")
        self.assertContains(page, 'Yes <span class="helptext">(decided: the unanswered items')
        self.assertNotContains(page, "Unknown (")
