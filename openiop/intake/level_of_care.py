"""OpenIOP's explainable level-of-care recommendation.

The rules are data (``rules/level_of_care.json`` by default; a program may keep its own copy)
built from facts that are not licensed (CLINICAL.md "Decisions"): weekly-hour thresholds,
instrument results and critical items, clinician-rated risk and impairment, and the program's
admission criteria. No LOCUS or ASAM decision logic is encoded here.

How a recommendation is made:
1. Every required fact must be present, otherwise ``MissingFacts`` is raised.
2. Each rule is evaluated. A rule that needs a fact nobody supplied is listed as
   "not evaluated" rather than silently treated as false.
3. The recommended level is the highest ``atLeastLevel`` among the rules that fired (or the
   rule set's default level); ``flag`` rules add flags without changing the level.
4. The result lists every rule that fired. A clinician always decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openiop.assessments.scoring import ScoreResult

DEFAULT_RULES = Path(__file__).resolve().parent / "rules" / "level_of_care.json"
COMPARISONS = ("atLeast", "atMost", "below", "above", "equals", "in", "is")
# Facts giving the range of an incomplete score: "<fact>.low" and "<fact>.high".
LOW, HIGH = ".low", ".high"


class RuleSetError(ValueError):
    def __init__(self, message: str, *, path: str = "", source: str = ""):
        self.message = message
        self.path = path
        where = source or "rule set"
        if path:
            where += f", field {path}"
        super().__init__(f"{where}: {message}")


class MissingFacts(ValueError):
    def __init__(self, facts: list[str]):
        self.facts = facts
        super().__init__(f"missing facts: {', '.join(facts)}")


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    condition: Mapping[str, Any]
    level: str | None = None
    flag: str | None = None
    # The rule in plain words for the staff who read the recommendation (no ids, no fact
    # names); the shipped rules all have one, a site's own may leave it out.
    explanation: str = ""

    @property
    def plain(self) -> str:
        return self.explanation or self.description


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    title: str
    levels: tuple[str, ...]
    default_level: str
    required_facts: tuple[str, ...]
    scales: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class FiredRule:
    id: str
    description: str
    level: str | None
    flag: str | None
    explanation: str = ""

    @property
    def plain(self) -> str:
        return self.explanation or self.description


@dataclass(frozen=True)
class Recommendation:
    level: str
    fired: tuple[FiredRule, ...]
    not_evaluated: tuple[str, ...]
    flags: tuple[str, ...]
    rule_set: str
    # The rules not evaluated, in plain words (as `Rule.plain`), in the same order.
    not_evaluated_plain: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "rule_set": self.rule_set,
            "fired": [
                {
                    "id": r.id,
                    "description": r.description,
                    "explanation": r.explanation,
                    "level": r.level,
                    "flag": r.flag,
                }
                for r in self.fired
            ],
            "not_evaluated": list(self.not_evaluated),
            "flags": list(self.flags),
        }


# --- loading -------------------------------------------------------------------------------


def default_rule_set() -> RuleSet:
    return parse_rule_set(DEFAULT_RULES.read_text(encoding="utf-8"), source=DEFAULT_RULES.name)


def parse_rule_set(text: str | Mapping[str, Any], *, source: str = "rule set") -> RuleSet:
    if isinstance(text, str):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RuleSetError(
                f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                source=source,
            ) from exc
    else:
        data = text
    try:
        return _parse(data)
    except RuleSetError as exc:
        raise RuleSetError(exc.message, path=exc.path, source=source) from None


def _parse(data: Any) -> RuleSet:
    if not isinstance(data, dict):
        raise RuleSetError("must be a JSON object")
    for key in ("id", "version", "title", "defaultLevel"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise RuleSetError("is required text", path=key)
    levels = data.get("levels")
    if (
        not isinstance(levels, list)
        or not all(isinstance(level, str) for level in levels)
        or len(levels) < 2
        or len(set(levels)) != len(levels)
    ):
        raise RuleSetError("must list at least two distinct levels, lowest first", path="levels")
    if data["defaultLevel"] not in levels:
        raise RuleSetError(f"must be one of {levels}", path="defaultLevel")
    required = data.get("requiredFacts", [])
    if not isinstance(required, list) or not all(isinstance(f, str) for f in required):
        raise RuleSetError("must be a list of fact names", path="requiredFacts")
    scales = data.get("scales", {})
    if not isinstance(scales, dict) or not all(
        isinstance(v, list) and v and all(isinstance(x, str) for x in v) for v in scales.values()
    ):
        raise RuleSetError("must map fact names to lists of values", path="scales")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleSetError("must list at least one rule", path="rules")
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules):
        at = f"rules[{index}]"
        if not isinstance(raw, dict):
            raise RuleSetError("must be a JSON object", path=at)
        for key in ("id", "description"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise RuleSetError("is required text", path=f"{at}.{key}")
        if any(r.id == raw["id"] for r in rules):
            raise RuleSetError(f"duplicate rule id {raw['id']!r}", path=f"{at}.id")
        level, flag = raw.get("atLeastLevel"), raw.get("flag")
        if (level is None) == (flag is None):
            raise RuleSetError("give exactly one of atLeastLevel and flag", path=at)
        if level is not None and level not in levels:
            raise RuleSetError(f"must be one of {levels}", path=f"{at}.atLeastLevel")
        if flag is not None and (not isinstance(flag, str) or not flag):
            raise RuleSetError("must be text", path=f"{at}.flag")
        explanation = raw.get("explanation", "")
        if not isinstance(explanation, str):
            raise RuleSetError("must be text", path=f"{at}.explanation")
        _check_condition(raw.get("when"), f"{at}.when", scales)
        rules.append(
            Rule(
                id=raw["id"],
                description=raw["description"],
                condition=raw["when"],
                level=level,
                flag=flag,
                explanation=explanation.strip(),
            )
        )
    return RuleSet(
        id=data["id"],
        version=data["version"],
        title=data["title"],
        levels=tuple(levels),
        default_level=data["defaultLevel"],
        required_facts=tuple(required),
        scales={k: tuple(v) for k, v in scales.items()},
        rules=tuple(rules),
    )


def _check_condition(raw: Any, at: str, scales: Mapping[str, list[str]]) -> None:
    if not isinstance(raw, dict):
        raise RuleSetError("must be a JSON object", path=at)
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        if len(raw) != 1 or not isinstance(raw[key], list) or not raw[key]:
            raise RuleSetError(f'"{key}" needs a non-empty list and nothing else', path=at)
        for i, part in enumerate(raw[key]):
            _check_condition(part, f"{at}.{key}[{i}]", scales)
        return
    if "not" in raw:
        if len(raw) != 1:
            raise RuleSetError('"not" takes one condition and nothing else', path=at)
        _check_condition(raw["not"], f"{at}.not", scales)
        return
    fact = raw.get("fact")
    if not isinstance(fact, str) or not fact:
        raise RuleSetError("use all, any, not, or a fact with one comparison", path=at)
    ops = [k for k in raw if k != "fact"]
    if len(ops) != 1 or ops[0] not in COMPARISONS:
        raise RuleSetError(f"give exactly one of {', '.join(COMPARISONS)}", path=at)
    op, value = ops[0], raw[ops[0]]
    if isinstance(value, dict):
        if set(value) != {"fact"} or not isinstance(value["fact"], str) or op in ("in", "is"):
            raise RuleSetError('compare with a value or {"fact": name}', path=f"{at}.{op}")
        return
    if op == "is" and not isinstance(value, bool):
        raise RuleSetError("must be true or false", path=f"{at}.is")
    if op == "in":
        if not isinstance(value, list) or not value:
            raise RuleSetError("must be a non-empty list", path=f"{at}.in")
        scale = scales.get(fact)
        if scale is not None:
            for v in value:
                if v not in scale:
                    raise RuleSetError(f"{v!r} is not on the {fact} scale {scale}", path=f"{at}.in")
    if op in ("atLeast", "atMost", "below", "above") and (
        isinstance(value, bool) or not isinstance(value, int | float)
    ):
        raise RuleSetError("must be a number", path=f"{at}.{op}")


# --- facts ---------------------------------------------------------------------------------


def facts_from_results(results: Mapping[str, ScoreResult]) -> dict[str, Any]:
    """Facts from instrument results keyed by definition id.

    ``<id>.<score>`` (e.g. ``phq-9.total``) and ``<id>.<finding>`` (e.g.
    ``asq.acute-positive``) when known, plus ``critical_items``: how many critical items fired
    across all results (a missing PHQ-9 item 9 counts). An incomplete score is not a fact;
    ``<id>.<score>.low`` and ``.high`` give the range it could still take, so a rule whose
    cut-point the range does not straddle is still decided (CLINICAL.md "Decisions":
    "unknown" only when a missing answer could change the outcome).
    """
    facts: dict[str, Any] = {"critical_items": 0}
    for definition_id, result in results.items():
        for score_id, value in result.scores.items():
            name = f"{definition_id}.{score_id}"
            if value.value is not None:
                facts[name] = value.value
            elif value.low is not None and value.high is not None:
                # Incomplete: the range it could still take decides any cut-point outside it.
                facts[f"{name}{LOW}"] = value.low
                facts[f"{name}{HIGH}"] = value.high
        for finding_id, finding in result.findings.items():
            if finding is not None:
                facts[f"{definition_id}.{finding_id}"] = finding
        facts["critical_items"] += len(result.critical)
    return facts


# What staff read for each fact on the level-of-care page, instead of its key.
FACT_LABELS = {
    "age": "Age",
    "weekly_hours_needed": "Hours of structured treatment needed a week",
    "clinician_risk": "Risk of harm (clinician's rating)",
    "functional_impairment": "Difficulty with daily life (clinician's rating)",
    "needs_24_hour_care": "Needs round-the-clock supervision or monitoring",
    "critical_items": "Answers that can mean suicide risk",
    "program.min_age": "Program's minimum age",
    "program.max_age": "Program's maximum age",
}


def fact_label(name: str) -> str:
    """A fact's key in words: "phq-9.total" → "PHQ-9 total", "gad-7.total.low" → "GAD-7 total
    (lowest it could be: answers missing)"."""
    for suffix, words in ((LOW, "lowest"), (HIGH, "highest")):
        if name.endswith(suffix):
            return f"{fact_label(name[: -len(suffix)])} ({words} it could be: answers missing)"
    if name in FACT_LABELS:
        return FACT_LABELS[name]
    instrument, _, part = name.partition(".")
    words = part.replace("-", " ").replace("dsm5", "DSM-5")
    return f"{instrument.upper()} {words}".strip()


def fact_value(value: Any) -> str:
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return str(value).replace("_", " ")


# --- evaluation ----------------------------------------------------------------------------


class _Unknown(Exception):
    pass


def recommend(rule_set: RuleSet, facts: Mapping[str, Any]) -> Recommendation:
    facts = {k: v for k, v in facts.items() if v is not None}
    missing = [f for f in rule_set.required_facts if f not in facts]
    if missing:
        raise MissingFacts(missing)
    for name, scale in rule_set.scales.items():
        if name in facts and facts[name] not in scale:
            raise ValueError(f"{name} must be one of {list(scale)}, not {facts[name]!r}")

    fired: list[FiredRule] = []
    not_evaluated: list[Rule] = []
    for rule in rule_set.rules:
        try:
            matched = _evaluate(rule.condition, facts)
        except _Unknown:
            not_evaluated.append(rule)
            continue
        if matched:
            fired.append(
                FiredRule(rule.id, rule.description, rule.level, rule.flag, rule.explanation)
            )

    rank = {level: i for i, level in enumerate(rule_set.levels)}
    level = rule_set.default_level
    for hit in fired:
        if hit.level is not None and rank[hit.level] > rank[level]:
            level = hit.level
    flags = tuple(dict.fromkeys(r.flag for r in fired if r.flag))
    return Recommendation(
        level=level,
        fired=tuple(fired),
        not_evaluated=tuple(rule.id for rule in not_evaluated),
        flags=flags,
        rule_set=rule_set.label,
        not_evaluated_plain=tuple(rule.plain for rule in not_evaluated),
    )


def _evaluate(condition: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    """True or False; raises _Unknown when a fact the outcome depends on is missing."""
    if "all" in condition or "any" in condition:
        is_all = "all" in condition
        unknown = False
        for part in condition["all" if is_all else "any"]:
            try:
                result = _evaluate(part, facts)
            except _Unknown:
                unknown = True
                continue
            if result != is_all:
                return result
        if unknown:
            raise _Unknown
        return is_all
    if "not" in condition:
        return not _evaluate(condition["not"], facts)
    name = condition["fact"]
    op = next(k for k in condition if k != "fact")
    expected = condition[op]
    if isinstance(expected, dict):
        if expected["fact"] not in facts:
            raise _Unknown
        expected = facts[expected["fact"]]
    if name not in facts:
        return _evaluate_range(name, op, expected, facts)
    actual = facts[name]
    if op == "is":
        return actual is expected
    if op == "in":
        return actual in expected
    if op == "equals":
        return bool(actual == expected)
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        raise ValueError(f"fact {name} must be a number, not {actual!r}")
    return _compare(op, actual, expected)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    return {
        "atLeast": actual >= expected,
        "atMost": actual <= expected,
        "below": actual < expected,
        "above": actual > expected,
    }[op]


def _evaluate_range(name: str, op: str, expected: Any, facts: Mapping[str, Any]) -> bool:
    """A numeric comparison on an incomplete score: decided when both ends of the range it
    could still take agree; otherwise unknown."""
    low, high = facts.get(f"{name}{LOW}"), facts.get(f"{name}{HIGH}")
    if low is None or high is None or op not in ("atLeast", "atMost", "below", "above"):
        raise _Unknown
    if isinstance(expected, bool) or not isinstance(expected, int | float):
        raise ValueError(f"{name} is compared with a number, not {expected!r}")
    at_low, at_high = _compare(op, low, expected), _compare(op, high, expected)
    if at_low != at_high:
        raise _Unknown
    return at_low
