"""The level-of-care rule set (plain pytest: no database)."""

import copy
import json

import pytest

from openiop.assessments.definitions import shipped_definitions
from openiop.assessments.scoring import score
from openiop.intake.level_of_care import (
    DEFAULT_RULES,
    MissingFacts,
    RuleSetError,
    default_rule_set,
    fact_label,
    fact_value,
    facts_from_results,
    parse_rule_set,
    recommend,
)

RULES = default_rule_set()
DEFINITIONS = shipped_definitions()
BASE = {
    "age": 34,
    "weekly_hours_needed": 3,
    "clinician_risk": "low",
    "functional_impairment": "mild",
}


def fired(recommendation):
    return [rule.id for rule in recommendation.fired]


def test_it_recommends_outpatient_when_nothing_fires():
    result = recommend(RULES, BASE)
    assert result.level == "outpatient"
    assert result.fired == ()
    assert result.rule_set == "openiop-default@1.0.0"


@pytest.mark.parametrize(
    ("age", "hours", "level", "rule"),
    [
        (34, 8, "outpatient", None),
        (34, 9, "iop", "hours-iop-adult"),
        (34, 19, "iop", "hours-iop-adult"),
        (34, 20, "php", "hours-php"),
        (16, 5, "outpatient", None),
        (16, 6, "iop", "hours-iop-adolescent"),
        (17, 8, "iop", "hours-iop-adolescent"),
        (18, 8, "outpatient", None),
    ],
)
def test_weekly_hour_thresholds(age, hours, level, rule):
    result = recommend(RULES, dict(BASE, age=age, weekly_hours_needed=hours))
    assert result.level == level
    if rule:
        assert rule in fired(result)


def test_it_lists_every_rule_that_fired_and_takes_the_highest_level():
    facts = dict(
        BASE,
        weekly_hours_needed=12,
        clinician_risk="high",
        functional_impairment="moderate",
        **{"phq-9.total": 17},
    )
    result = recommend(RULES, facts)
    assert result.level == "php"
    assert fired(result) == [
        "hours-iop-adult",
        "phq9-moderately-severe",
        "risk-high",
        "impairment-moderate",
    ]
    assert all(rule.description for rule in result.fired)


@pytest.mark.parametrize(
    ("facts", "level"),
    [
        ({"clinician_risk": "moderate"}, "iop"),
        ({"clinician_risk": "imminent"}, "higher"),
        ({"functional_impairment": "severe"}, "php"),
        ({"functional_impairment": "extreme"}, "higher"),
        ({"needs_24_hour_care": True}, "higher"),
        ({"needs_24_hour_care": False}, "outpatient"),
        ({"gad-7.total": 14}, "outpatient"),
        ({"gad-7.total": 15}, "iop"),
        ({"phq-9.total": 14}, "outpatient"),
        ({"phq-9.total": 15}, "iop"),
        ({"pcl-5.dsm5-cluster-rule": True}, "iop"),
    ],
)
def test_single_rules(facts, level):
    assert recommend(RULES, dict(BASE, **facts)).level == level


def test_instrument_results_become_facts():
    phq9 = score(DEFINITIONS["phq-9"], {str(n): "LA6569-3" for n in range(1, 10)})
    asq = score(DEFINITIONS["asq"], {"1": "yes", "2": "no", "3": "no", "4": "no", "5": "yes"})
    facts = facts_from_results({"phq-9": phq9, "asq": asq})
    assert facts["phq-9.total"] == 9
    assert facts["asq.acute-positive"] is True
    assert facts["critical_items"] == 3  # PHQ-9 item 9, ASQ 1 and ASQ 5
    result = recommend(RULES, dict(BASE, **facts))
    assert result.level == "higher"
    assert "asq-acute-positive" in fired(result)
    assert result.flags == ("same-day-risk-assessment",)


def test_an_incomplete_score_decides_a_rule_its_answered_items_already_reach():
    answers = {str(n): "LA6571-9" for n in range(1, 9)}  # 24 so far, item 9 missing
    facts = facts_from_results({"phq-9": score(DEFINITIONS["phq-9"], answers)})
    assert "phq-9.total" not in facts
    assert (facts["phq-9.total.low"], facts["phq-9.total.high"]) == (24, 27)
    assert facts["critical_items"] == 1
    result = recommend(RULES, dict(BASE, **facts))
    assert "phq9-moderately-severe" in fired(result)
    assert "phq9-moderately-severe" not in result.not_evaluated
    assert result.flags == ("same-day-risk-assessment",)


def test_an_incomplete_score_decides_a_rule_it_cannot_reach():
    answers = {str(n): "LA6568-5" for n in range(1, 9)}  # 0 so far: at most 3
    facts = facts_from_results({"phq-9": score(DEFINITIONS["phq-9"], answers)})
    result = recommend(RULES, dict(BASE, **facts))
    assert "phq9-moderately-severe" not in fired(result)
    assert "phq9-moderately-severe" not in result.not_evaluated


def test_an_incomplete_score_leaves_a_rule_not_evaluated_only_when_it_could_change_it():
    answers = {str(n): "LA6570-1" for n in range(1, 8)} | {"8": "LA6568-5"}  # 14 so far
    facts = facts_from_results({"phq-9": score(DEFINITIONS["phq-9"], answers)})
    assert (facts["phq-9.total.low"], facts["phq-9.total.high"]) == (14, 17)
    result = recommend(RULES, dict(BASE, **facts))
    assert "phq9-moderately-severe" in result.not_evaluated


def test_program_admission_criteria_flag_without_changing_the_level():
    facts = dict(BASE, age=16, **{"program.min_age": 18, "program.max_age": 64})
    result = recommend(RULES, facts)
    assert result.flags == ("outside-program-criteria",)
    assert "program-below-min-age" in fired(result)
    assert result.level == "outpatient"
    older = recommend(RULES, dict(facts, age=70))
    assert "program-above-max-age" in fired(older)


def test_rules_about_missing_facts_are_reported_not_evaluated():
    result = recommend(RULES, BASE)
    assert "program-below-min-age" in result.not_evaluated
    assert "gad7-severe" in result.not_evaluated


def test_it_needs_the_core_facts():
    with pytest.raises(MissingFacts) as info:
        recommend(RULES, {"age": 30, "clinician_risk": None})
    assert info.value.facts == ["weekly_hours_needed", "clinician_risk", "functional_impairment"]


def test_it_refuses_a_value_off_the_scale():
    with pytest.raises(ValueError, match="clinician_risk"):
        recommend(RULES, dict(BASE, clinician_risk="severe"))


def test_a_program_can_edit_the_rules():
    data = json.loads(DEFAULT_RULES.read_text())
    data["rules"][1]["when"]["all"][1]["atLeast"] = 11
    edited = parse_rule_set(data)
    assert recommend(edited, dict(BASE, weekly_hours_needed=10)).level == "outpatient"
    assert recommend(RULES, dict(BASE, weekly_hours_needed=10)).level == "iop"


def test_any_and_not_conditions():
    rules = parse_rule_set(
        {
            "id": "t",
            "version": "1",
            "title": "t",
            "levels": ["low", "high"],
            "defaultLevel": "low",
            "rules": [
                {
                    "id": "r",
                    "description": "d",
                    "atLeastLevel": "high",
                    "when": {
                        "any": [{"fact": "a", "equals": 1}, {"not": {"fact": "b", "is": True}}]
                    },
                }
            ],
        }
    )
    assert recommend(rules, {"a": 1}).level == "high"
    assert recommend(rules, {"a": 2, "b": False}).level == "high"
    assert recommend(rules, {"a": 2, "b": True}).level == "low"
    assert recommend(rules, {"a": 2}).not_evaluated == ("r",)


DATA = json.loads(DEFAULT_RULES.read_text())


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.pop("id"), "id"),
        (lambda d: d.update(levels=["iop"]), "levels"),
        (lambda d: d.update(defaultLevel="inpatient"), "defaultLevel"),
        (lambda d: d.update(rules=[]), "rules"),
        (lambda d: d["rules"][1].update(id="hours-php"), "rules[1].id"),
        (lambda d: d["rules"][0].update(atLeastLevel="inpatient"), "rules[0].atLeastLevel"),
        (lambda d: d["rules"][0].update(flag="x"), "rules[0]"),
        (lambda d: d["rules"][0].update(when={"fact": "x", "over": 3}), "rules[0].when"),
        (
            lambda d: d["rules"][0].update(when={"fact": "x", "atLeast": "3"}),
            "rules[0].when.atLeast",
        ),
        (
            lambda d: d["rules"][8]["when"].update({"in": ["severe"]}),
            "rules[8].when.in",
        ),
        (lambda d: d["rules"][1]["when"].update(all=[]), "rules[1].when"),
    ],
)
def test_it_refuses_a_malformed_rule_set_naming_the_field(change, path):
    data = copy.deepcopy(DATA)
    change(data)
    with pytest.raises(RuleSetError) as info:
        parse_rule_set(data, source="program.json")
    assert info.value.path == path
    assert str(info.value).startswith(f"program.json, field {path}: ")


def test_it_names_the_line_of_a_json_syntax_error():
    with pytest.raises(RuleSetError, match="line 2"):
        parse_rule_set('{\n"id": }', source="program.json")


def test_every_shipped_rule_is_explained_in_plain_words():
    # Raw keys, not the words they are made of ("age" is both).
    fact_keys = {
        key
        for key in (
            *RULES.required_facts,
            "needs_24_hour_care",
            "critical_items",
            "program.min_age",
        )
        if "_" in key or "." in key
    }
    for rule in RULES.rules:
        assert rule.explanation, f"{rule.id} has no plain-language explanation"
        assert rule.explanation.endswith("."), rule.id
        assert rule.id not in rule.explanation
        assert not any(key in rule.explanation for key in fact_keys), rule.id
        assert rule.explanation != rule.description, rule.id


def test_a_fired_rule_carries_its_explanation_and_a_site_rule_may_leave_it_out():
    result = recommend(RULES, {**BASE, "weekly_hours_needed": 9})
    (rule,) = result.fired
    assert rule.plain == rule.explanation
    assert result.as_dict()["fired"][0]["explanation"] == rule.explanation
    site = json.loads(DEFAULT_RULES.read_text())
    del site["rules"][0]["explanation"]
    parsed = parse_rule_set(site)
    assert parsed.rules[0].explanation == ""
    assert parsed.rules[0].plain == parsed.rules[0].description


def test_an_explanation_must_be_text():
    site = json.loads(DEFAULT_RULES.read_text())
    site["rules"][0]["explanation"] = 3
    with pytest.raises(RuleSetError, match="explanation"):
        parse_rule_set(site)


def test_rules_not_evaluated_are_listed_in_words_too():
    result = recommend(RULES, BASE)
    assert len(result.not_evaluated_plain) == len(result.not_evaluated)
    assert "Their anxiety questionnaire (GAD-7) scored 15 or more: severe anxiety." in (
        result.not_evaluated_plain
    )


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("weekly_hours_needed", "Hours of structured treatment needed a week"),
        ("phq-9.total", "PHQ-9 total"),
        ("pcl-5.dsm5-cluster-rule", "PCL-5 DSM-5 cluster rule"),
        ("gad-7.total.low", "GAD-7 total (lowest it could be: answers missing)"),
    ],
)
def test_facts_are_named_in_words(key, label):
    assert fact_label(key) == label


def test_fact_values_read_as_words():
    assert fact_value(True) == "Yes"
    assert fact_value(False) == "No"
    assert fact_value("moderate") == "moderate"
