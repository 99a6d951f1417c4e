"""FHIR R4 resources for instrument responses and their scores.

Builders return plain JSON-ready dicts, each checked against the fhir.resources R4B model
(R4B keeps R4's shape for these resources; the package has no 4.0.1 set). References are
passed in by the caller (``"Patient/<code>"``), so this module knows nothing about the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openiop.assessments.definitions import Definition
from openiop.assessments.scoring import Answer, ScoreResult, enabled_items, validate_answers

OPENIOP_SYSTEM = "http://openiop.org/fhir/CodeSystem"
SCORE_SYSTEM = f"{OPENIOP_SYSTEM}/instrument-score"
BAND_SYSTEM = f"{OPENIOP_SYSTEM}/score-band"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
SCREENING_PROFILE = (
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-observation-screening-assessment"
)
REPLACES_EXTENSION = "http://openiop.org/fhir/StructureDefinition/replaces"
RESPONSE_STATUSES = {"in-progress", "completed", "amended", "stopped"}
SDC_RESPONSE_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"


def questionnaire(definition: Definition) -> dict[str, Any]:
    return _validated("Questionnaire", definition.questionnaire())


def questionnaire_response(
    definition: Definition,
    answers: Mapping[str, Any],
    *,
    id: str,
    subject: str,
    authored: datetime,
    status: str = "completed",
    author: str | None = None,
    source: str | None = None,
    replaces: str | None = None,
) -> dict[str, Any]:
    """A QuestionnaireResponse holding the answers to the items that were shown.

    ``status`` comes from ``response_status``. A correction is a new response: ``replaces``
    names the response it corrects (FHIR R4 has no element for that link, so it is an OpenIOP
    extension).
    """
    if status not in RESPONSE_STATUSES:
        # fhir.resources does not check code values, so the builder does.
        raise ValueError(f"status must be one of {sorted(RESPONSE_STATUSES)}")
    clean = validate_answers(definition, answers)
    items = []
    for item in enabled_items(definition, clean):
        if item.link_id not in clean:
            continue
        items.append(
            {
                "linkId": item.link_id,
                "text": item.text,
                "answer": [_answer(definition, item.link_id, clean[item.link_id])],
            }
        )
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": id,
        "meta": {"profile": [SDC_RESPONSE_PROFILE]},
        "questionnaire": definition.canonical,
        "status": status,
        "subject": {"reference": subject},
        "authored": authored.isoformat(),
        "item": items,
    }
    if author:
        resource["author"] = {"reference": author}
    if source:
        resource["source"] = {"reference": source}
    if replaces:
        resource["extension"] = [
            {
                "url": REPLACES_EXTENSION,
                "valueReference": {"reference": f"QuestionnaireResponse/{replaces}"},
            }
        ]
    return _validated("QuestionnaireResponse", resource)


def response_status(*, submitted: bool, complete: bool, correction: bool) -> str:
    """The QuestionnaireResponse status of a response (docs/instruments.md, "FHIR export").

    - a draft: ``in-progress`` (answers may still change);
    - submitted with a required item unanswered (e.g. a PHQ-9 without item 9): ``stopped``,
      "partially filled out with answers but abandoned; no subsequent changes can be made".
      Never ``completed``: a missing item 9 makes the PHQ-9 incomplete, never "negative"
      (CLINICAL.md "Decisions"), and a receiver must not read the answers as definitive;
    - a complete correction: ``amended``; otherwise ``completed``.
    """
    if not submitted:
        return "in-progress"
    if not complete:
        return "stopped"
    return "amended" if correction else "completed"


def _answer(definition: Definition, link_id: str, value: Answer) -> dict[str, Any]:
    item = definition.item(link_id)
    if item.type == "choice":
        option = item.option(str(value))
        assert option is not None
        return {"valueCoding": option.coding.as_fhir()}
    if item.type == "integer":
        return {"valueInteger": value}
    return {"valueString": value}


def score_observations(
    definition: Definition,
    result: ScoreResult,
    *,
    response_id: str,
    subject: str,
    effective: datetime,
    performer: str | None = None,
) -> list[dict[str, Any]]:
    """One Observation per score that has a value (an incomplete score has none).

    Code: the confirmed total code from the definition (e.g. LOINC 44261-6), otherwise an
    OpenIOP code ``<instrument>.<score>``. The band goes in ``interpretation``.
    """
    observations = []
    for rule in definition.scores:
        value = result.scores[rule.id]
        if value.value is None:
            continue
        codings = []
        if rule.code is not None:
            codings.append(rule.code.as_fhir())
        codings.append(
            {"system": SCORE_SYSTEM, "code": f"{definition.id}.{rule.id}", "display": rule.label}
        )
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "id": f"{response_id}-{rule.id}",
            "meta": {"profile": [SCREENING_PROFILE]},
            "status": "final",
            "category": [
                {
                    "coding": [
                        {"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
                    ]
                }
            ],
            "code": {"coding": codings, "text": rule.label},
            "subject": {"reference": subject},
            "effectiveDateTime": effective.isoformat(),
            "valueInteger": value.value,
            "derivedFrom": [{"reference": f"QuestionnaireResponse/{response_id}"}],
        }
        if value.band is not None:
            resource["interpretation"] = [
                {
                    "coding": [
                        {
                            "system": f"{BAND_SYSTEM}/{definition.id}",
                            "code": value.band.code,
                            "display": value.band.label,
                        }
                    ],
                    "text": value.band.label,
                }
            ]
        if performer:
            resource["performer"] = [{"reference": performer}]
        observations.append(_validated("Observation", resource))
    return observations


def _validated(resource_type: str, resource: dict[str, Any]) -> dict[str, Any]:
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource_type).model_validate(resource)
    return resource
