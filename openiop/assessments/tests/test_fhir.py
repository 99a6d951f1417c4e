"""FHIR export of responses and scores, validated with fhir.resources (R4B models)."""

from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from openiop.assessments import fhir
from openiop.assessments.definitions import shipped_definitions
from openiop.assessments.scoring import InvalidAnswer, score

DEFINITIONS = shipped_definitions()
PHQ9 = DEFINITIONS["phq-9"]
WHEN = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
PHQ9_ANSWERS = {str(n): "LA6569-3" for n in range(1, 10)} | {"3": "LA6571-9", "10": "LA6573-5"}


@pytest.mark.parametrize("key", sorted(DEFINITIONS))
def test_every_shipped_definition_is_a_valid_questionnaire(key):
    resource = fhir.questionnaire(DEFINITIONS[key])
    Questionnaire.model_validate(resource)
    assert "scoring" not in resource


def test_phq9_response_is_a_valid_questionnaire_response():
    resource = fhir.questionnaire_response(
        PHQ9, PHQ9_ANSWERS, id="r1", subject="Patient/p1", authored=WHEN, source="Patient/p1"
    )
    QuestionnaireResponse.model_validate(resource)
    assert resource["questionnaire"] == "http://openiop.org/fhir/Questionnaire/phq-9|1.1.0"
    assert resource["status"] == "completed"
    assert [i["linkId"] for i in resource["item"]] == [str(n) for n in range(1, 11)]
    assert resource["item"][2]["answer"] == [
        {
            "valueCoding": {
                "system": "http://loinc.org",
                "code": "LA6571-9",
                "display": "Nearly every day",
            }
        }
    ]


def test_phq9_total_is_an_observation_with_loinc_code_survey_category_and_derived_from():
    result = score(PHQ9, PHQ9_ANSWERS)
    [resource] = fhir.score_observations(
        PHQ9, result, response_id="r1", subject="Patient/p1", effective=WHEN
    )
    Observation.model_validate(resource)
    assert resource["status"] == "final"
    assert resource["code"]["coding"][0] == {"system": "http://loinc.org", "code": "44261-6"}
    assert resource["category"][0]["coding"][0]["code"] == "survey"
    assert resource["valueInteger"] == 11
    assert resource["interpretation"][0]["coding"][0]["code"] == "moderate"
    assert resource["derivedFrom"] == [{"reference": "QuestionnaireResponse/r1"}]


def test_pcl5_gives_one_observation_per_score_with_openiop_codes():
    answers = {str(n): "2" for n in range(1, 21)}
    result = score(DEFINITIONS["pcl-5"], answers)
    resources = fhir.score_observations(
        DEFINITIONS["pcl-5"], result, response_id="r2", subject="Patient/p1", effective=WHEN
    )
    codes = [r["code"]["coding"][0]["code"] for r in resources]
    assert codes == [
        "pcl-5.total",
        "pcl-5.cluster-b",
        "pcl-5.cluster-c",
        "pcl-5.cluster-d",
        "pcl-5.cluster-e",
    ]
    assert all("interpretation" not in r for r in resources)
    assert [r["valueInteger"] for r in resources] == [40, 10, 4, 14, 12]


def test_an_incomplete_score_is_not_exported():
    answers = dict(PHQ9_ANSWERS)
    del answers["9"]
    result = score(PHQ9, answers)
    assert (
        fhir.score_observations(
            PHQ9, result, response_id="r1", subject="Patient/p1", effective=WHEN
        )
        == []
    )


def test_asq_response_leaves_out_the_question_that_was_not_shown():
    definition = DEFINITIONS["asq"]
    answers = {"1": "no", "2": "no", "3": "no", "4": "no", "5": "yes"}
    resource = fhir.questionnaire_response(
        definition, answers, id="r3", subject="Patient/p1", authored=WHEN
    )
    assert [i["linkId"] for i in resource["item"]] == ["1", "2", "3", "4"]


def test_check_in_answers_are_integers_and_text():
    definition = DEFINITIONS["session-check-in"]
    answers = {"heard": 8, "goals": 7, "approach": 6, "overall": 9, "comment": "More breaks"}
    resource = fhir.questionnaire_response(
        definition, answers, id="r4", subject="Patient/p1", authored=WHEN
    )
    QuestionnaireResponse.model_validate(resource)
    assert resource["item"][0]["answer"] == [{"valueInteger": 8}]
    assert resource["item"][-1]["answer"] == [{"valueString": "More breaks"}]


def test_a_correction_is_amended_and_names_the_response_it_replaces():
    resource = fhir.questionnaire_response(
        PHQ9,
        PHQ9_ANSWERS,
        id="r5",
        subject="Patient/p1",
        authored=WHEN,
        status="amended",
        replaces="r1",
        author="Practitioner/c1",
    )
    QuestionnaireResponse.model_validate(resource)
    assert resource["status"] == "amended"
    assert resource["extension"][0]["valueReference"] == {"reference": "QuestionnaireResponse/r1"}


def test_it_refuses_to_export_bad_answers():
    with pytest.raises(InvalidAnswer):
        fhir.questionnaire_response(
            PHQ9, {"1": "LA0000-0"}, id="r6", subject="Patient/p1", authored=WHEN
        )


def test_it_refuses_an_invalid_status():
    with pytest.raises(ValueError, match="status"):
        fhir.questionnaire_response(
            PHQ9, PHQ9_ANSWERS, id="r7", subject="Patient/p1", authored=WHEN, status="done"
        )
