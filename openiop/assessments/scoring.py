"""One scoring engine for every instrument definition.

Steps, for a definition and a mapping of linkId -> answer:
1. Reject answers the definition cannot hold (unknown item, unknown answer code, integer out of
   range, wrong type). Nothing is scored from a response with a bad answer.
2. Work out which items are enabled (FHIR enableWhen); answers to disabled items are ignored.
3. A required, enabled item without an answer makes the response incomplete. A score that
   needs a missing item has no value (``None``): a missing answer is never read as zero.
4. Findings use three-valued logic: True, False, or None only when missing answers could
   change the outcome. A score with missing items keeps the range it could still take
   (``low``..``high``: every missing item at its lowest / highest), so a cut-point the
   answered items already reach (or cannot reach even with every missing item at its
   maximum) is decided. An items rule with ``missingCounts`` counts an unanswered item as
   meeting it (the ASQ: a question left blank or declined screens positive).
5. Critical items fire on a score at or above their threshold, and (``whenMissing``) when the
   item is missing, so an unanswered suicide item still reaches a person. Each hit carries its
   score and the safety acuity rule its definition names (``alertRules``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openiop.assessments.definitions import Band, Definition, Item

Answer = str | int


class InvalidAnswer(ValueError):
    def __init__(self, link_id: str, message: str):
        self.link_id = link_id
        super().__init__(f"item {link_id!r}: {message}")


@dataclass(frozen=True)
class ScoreValue:
    id: str
    label: str
    value: int | None
    band: Band | None = None
    # The range the score can still take: equal to value when complete.
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class CriticalHit:
    id: str
    item: str
    label: str
    reason: str  # "answered" (score at/above threshold) or "missing"
    score: int | None = None  # the item's score; None when missing
    rule: str = "critical_item"  # openiop.safety.acuity rule key


@dataclass(frozen=True)
class ScoreResult:
    definition_id: str
    complete: bool
    missing: tuple[str, ...]
    item_scores: Mapping[str, int]
    scores: Mapping[str, ScoreValue]
    findings: Mapping[str, bool | None]
    critical: tuple[CriticalHit, ...]

    @property
    def is_critical(self) -> bool:
        return bool(self.critical)


def validate_answers(definition: Definition, answers: Mapping[str, Any]) -> dict[str, Answer]:
    """Return the non-empty answers, or raise InvalidAnswer for the first bad one."""
    by_id = {item.link_id: item for item in definition.questions}
    clean: dict[str, Answer] = {}
    for link_id, value in answers.items():
        item = by_id.get(link_id)
        if item is None:
            raise InvalidAnswer(link_id, "no such question in this instrument")
        if value is None or value == "":
            continue
        clean[link_id] = _check_answer(item, value)
    return clean


def _check_answer(item: Item, value: Any) -> Answer:
    if item.type == "choice":
        if not isinstance(value, str) or item.option(value) is None:
            raise InvalidAnswer(item.link_id, f"{value!r} is not one of its answer codes")
        return value
    if item.type == "integer":
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidAnswer(item.link_id, f"{value!r} is not a whole number")
        assert item.min_value is not None and item.max_value is not None
        if not item.min_value <= value <= item.max_value:
            raise InvalidAnswer(
                item.link_id, f"{value} is outside {item.min_value} to {item.max_value}"
            )
        return value
    if not isinstance(value, str):
        raise InvalidAnswer(item.link_id, "must be text")
    return value


def enabled_items(definition: Definition, answers: Mapping[str, Answer]) -> list[Item]:
    """Questions shown for these answers (a disabled item disables those depending on it)."""
    enabled: dict[str, Item] = {}
    for item in definition.questions:
        if item.enable_when:
            checks = [
                c.question in enabled and answers.get(c.question) == c.answer_code
                for c in item.enable_when
            ]
            if not (any(checks) if item.enable_behavior == "any" else all(checks)):
                continue
        enabled[item.link_id] = item
    return list(enabled.values())


def score(definition: Definition, answers: Mapping[str, Any]) -> ScoreResult:
    clean = validate_answers(definition, answers)
    enabled = enabled_items(definition, clean)
    enabled_ids = {item.link_id for item in enabled}
    given = {k: v for k, v in clean.items() if k in enabled_ids}
    missing = tuple(i.link_id for i in enabled if i.required and i.link_id not in given)

    item_scores: dict[str, int] = {}
    for item in enabled:
        if item.is_scored and item.link_id in given:
            item_scores[item.link_id] = _item_score(item, given[item.link_id])
    unknown = {i.link_id for i in enabled if i.is_scored and i.link_id not in given}

    ranges = {i.link_id: i.score_range for i in enabled if i.is_scored}
    scores: dict[str, ScoreValue] = {}
    for rule in definition.scores:
        answered = sum(item_scores.get(link_id, 0) for link_id in rule.items)
        low = answered + sum(ranges[i][0] for i in rule.items if i in unknown)
        high = answered + sum(ranges[i][1] for i in rule.items if i in unknown)
        value = None if any(i in unknown for i in rule.items) else answered
        band = rule.band_for(value) if value is not None else None
        scores[rule.id] = ScoreValue(
            id=rule.id, label=rule.label, value=value, band=band, low=low, high=high
        )

    evaluator = _RuleEvaluator(definition, item_scores, unknown, scores)
    findings = {f.id: evaluator.evaluate(f.condition) for f in definition.findings}

    critical = []
    for item_rule in definition.critical_items:
        hit = (item_rule.id, item_rule.item, item_rule.label)
        item_score = item_scores.get(item_rule.item)
        if item_score is not None and item_score >= item_rule.min_score:
            critical.append(
                CriticalHit(*hit, "answered", item_score, item_rule.rule_for(item_score))
            )
        elif item_rule.when_missing and item_rule.item in missing:
            critical.append(CriticalHit(*hit, "missing", None, item_rule.rule_for(None)))

    return ScoreResult(
        definition_id=definition.id,
        complete=not missing,
        missing=missing,
        item_scores=item_scores,
        scores=scores,
        findings=findings,
        critical=tuple(critical),
    )


def _item_score(item: Item, answer: Answer) -> int:
    if item.type == "integer":
        assert isinstance(answer, int)
        return answer
    option = item.option(str(answer))
    assert option is not None and option.score is not None
    return option.score


class _RuleEvaluator:
    def __init__(
        self,
        definition: Definition,
        item_scores: Mapping[str, int],
        unknown: set[str],
        scores: Mapping[str, ScoreValue],
    ):
        self.ranges = {i.link_id: i.score_range for i in definition.questions if i.is_scored}
        self.item_scores = item_scores
        self.unknown = unknown
        self.scores = scores

    def evaluate(self, rule: Mapping[str, Any]) -> bool | None:
        if "all" in rule:
            results = [self.evaluate(part) for part in rule["all"]]
            if False in results:
                return False
            return None if None in results else True
        if "any" in rule:
            results = [self.evaluate(part) for part in rule["any"]]
            if True in results:
                return True
            return None if None in results else False
        if "not" in rule:
            result = self.evaluate(rule["not"])
            return None if result is None else not result
        if "score" in rule:
            score = self.scores[rule["score"]]
            if score.low is None or score.high is None:
                return None
            at_least = rule.get("atLeast", score.low)
            at_most = rule.get("atMost", score.high)
            # Decided when every value the score can still take gives the same answer.
            if score.low >= at_least and score.high <= at_most:
                return True
            if score.high < at_least or score.low > at_most:
                return False
            return None
        threshold = rule["scoreAtLeast"]
        met = sum(1 for i in rule["items"] if self.item_scores.get(i, -1) >= threshold)
        if rule.get("missingCounts"):
            met += sum(1 for i in rule["items"] if i in self.unknown)
        could = sum(
            1 for i in rule["items"] if i in self.unknown and self.ranges[i][1] >= threshold
        )
        if met >= rule["countAtLeast"]:
            return True
        if met + could >= rule["countAtLeast"]:
            return None
        return False
