"""Loading and validating definition files (plain pytest: no database)."""

import copy
import json
import re
from pathlib import Path

import pytest

from openiop.assessments.definitions import (
    DefinitionError,
    load_definition,
    parse_definition,
)
from openiop.assessments.scoring import score

FIXTURE = Path(__file__).parent / "fixtures" / "example-site-instrument.json"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "instruments.md"
EXAMPLE = json.loads(FIXTURE.read_text())


def parse(data):
    return parse_definition(json.dumps(data, indent=2), source="site.json")


def broken(change):
    data = copy.deepcopy(EXAMPLE)
    change(data)
    with pytest.raises(DefinitionError) as info:
        parse(data)
    return info.value


def test_docs_example_is_the_fixture():
    match = re.search(r"```json\n(.*?)```", DOCS.read_text(), re.S)
    assert match is not None
    assert json.loads(match.group(1)) == EXAMPLE


def test_a_site_loaded_file_is_scored_by_the_same_engine():
    definition = load_definition(FIXTURE)
    assert definition.id == "example-day-check"
    assert definition.canonical.endswith("|2024.1")
    result = score(definition, {"1": "sometimes", "2": "no"})
    assert result.complete
    assert result.scores["total"].value == 1
    assert result.scores["total"].band == definition.scores[0].bands[0]
    assert definition.scores[0].bands[0].code == "low"
    assert result.findings == {"high": False}
    assert not result.critical


def test_a_site_loaded_critical_item_fires_when_missing():
    result = score(load_definition(FIXTURE), {"1": "often"})
    assert not result.complete
    assert [(hit.id, hit.reason) for hit in result.critical] == [("unsafe-at-home", "missing")]


def test_questionnaire_part_excludes_scoring():
    definition = load_definition(FIXTURE)
    assert "scoring" not in definition.questionnaire()
    assert definition.questionnaire()["item"] == EXAMPLE["item"]


def test_it_names_the_line_of_a_json_syntax_error():
    text = FIXTURE.read_text().replace('"status": "active",', '"status": "active"', 1)
    with pytest.raises(DefinitionError) as info:
        parse_definition(text, source="site.json")
    assert info.value.line == 9
    assert str(info.value).startswith("site.json, line 9: not valid JSON")


def test_it_names_the_file_it_cannot_read(tmp_path):
    with pytest.raises(DefinitionError, match=r"missing\.json: cannot read file"):
        load_definition(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (lambda d: d.update(resourceType="Patient"), "resourceType", "Questionnaire"),
        (lambda d: d.update(id="Bad Id"), "id", "lower-case"),
        (lambda d: d.pop("copyright"), "copyright", "required"),
        (lambda d: d.update(status="final"), "status", "draft"),
        (lambda d: d.update(item=[]), "item", "at least one item"),
        (lambda d: d["item"][2].update(linkId="1"), "item[2] (linkId '1').linkId", "duplicate"),
        (lambda d: d["item"][1].update(type="boolean"), "item[1] (linkId '1').type", "boolean"),
        (
            lambda d: d["item"][1].update(item=[]),
            "item[1] (linkId '1').item",
            "nested items are not supported",
        ),
        (
            lambda d: d["item"][1]["answerOption"][1]["valueCoding"].update(code="often"),
            "item[1] (linkId '1').answerOption[1].valueCoding.code",
            "duplicate answer code 'often'",
        ),
        (
            lambda d: d["item"][1]["answerOption"][1]["extension"][0].update(valueDecimal=0.5),
            "item[1] (linkId '1').answerOption[1].extension[0].valueDecimal",
            "whole number",
        ),
        (
            lambda d: d["item"][1]["answerOption"][2].pop("extension"),
            "item[1] (linkId '1').answerOption",
            "every answer option",
        ),
        (
            lambda d: d["item"][4].pop("extension"),
            "item[4] (linkId '3').extension",
            "minValue and maxValue",
        ),
        (
            lambda d: d["item"][3]["enableWhen"][0].update(question="3"),
            "item[3] (linkId '2-more').enableWhen[0].question",
            "earlier item",
        ),
        (
            lambda d: d["item"][3]["enableWhen"][0]["answerCoding"].update(code="maybe"),
            "item[3] (linkId '2-more').enableWhen[0].answerCoding.code",
            "'maybe' is not an answer of '2'",
        ),
        (
            lambda d: d["item"][3]["enableWhen"][0].update(operator="!="),
            "item[3] (linkId '2-more').enableWhen[0].operator",
            '"="',
        ),
        (lambda d: d.pop("scoring"), "scoring", "JSON object"),
        (lambda d: d["scoring"].pop("validated"), "scoring.validated", "true or false"),
        (lambda d: d["scoring"].update(weights=[]), "scoring.weights", "unknown member"),
        (
            lambda d: d["scoring"]["scores"][0].update(items=["1", "9"]),
            "scoring.scores[0].items[1]",
            "unknown item '9'",
        ),
        (
            lambda d: d["scoring"]["scores"][0].update(items=["1", "2-more"]),
            "scoring.scores[0].items[1]",
            "no scores",
        ),
        (
            lambda d: d["scoring"]["scores"][0].update(method="mean"),
            "scoring.scores[0].method",
            "sum",
        ),
        (
            lambda d: d["scoring"]["scores"][0]["bands"][1].update(min=3),
            "scoring.scores[0].bands[1].min",
            "expected min 2",
        ),
        (
            lambda d: d["scoring"]["scores"][0]["bands"][1].update(max=3),
            "scoring.scores[0].bands[1].max",
            "highest possible score 4",
        ),
        (
            lambda d: d["scoring"]["findings"][0].update(when={"score": "sum", "atLeast": 2}),
            "scoring.findings[0].when.score",
            "unknown score 'sum'",
        ),
        (
            lambda d: d["scoring"]["findings"][0].update(when={"items": ["1"], "atLeast": 2}),
            "scoring.findings[0].when",
            "scoreAtLeast",
        ),
        (
            lambda d: d["scoring"]["findings"][0].update(when={"any": []}),
            "scoring.findings[0].when",
            "non-empty",
        ),
        (
            lambda d: d["scoring"]["findings"][0].update(when={"maybe": 1}),
            "scoring.findings[0].when",
            "unknown rule",
        ),
        (
            lambda d: d["scoring"]["criticalItems"][0].update(item="3-more"),
            "scoring.criticalItems[0].item",
            "not a scored item",
        ),
        (
            lambda d: d["scoring"]["criticalItems"][0].update(scoreAtLeast=3),
            "scoring.criticalItems[0].scoreAtLeast",
            "at most 2",
        ),
        (
            lambda d: (
                d["scoring"]["criticalItems"][0].update(item="1", whenMissing=True)
                or d["item"][1].update(required=False)
            ),
            "scoring.criticalItems[0].whenMissing",
            "required item",
        ),
        (lambda d: d.update(publisherr="x"), "publisherr", "FHIR Questionnaire"),
    ],
)
def test_it_refuses_a_malformed_file_naming_the_field(change, path, message):
    error = broken(change)
    assert error.path == path
    assert message in error.message
    assert str(error).startswith(f"site.json, field {path}: ")
