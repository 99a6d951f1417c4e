"""When a session check-in is "low" or "falling": a pure function of the scored answers.

The defaults (any item ≤ 4 of 10, the overall item ≤ 5, a drop of 5 points or more) are
OpenIOP's operational defaults for its own, non-validated check-in: prompts for the
facilitator to ask, NOT a validated cut-off (CLINICAL.md §2.9). A program changes them, or
sets a licensed measure's own rule, in its FeedbackSetting.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from openiop.assessments.definitions import Definition
from openiop.assessments.scoring import ScoreResult


@dataclass(frozen=True)
class Rule:
    score_id: str = "total"
    low_item_at_or_below: int | None = 4
    overall_item: str = "overall"
    low_overall_at_or_below: int | None = 5
    low_total_below: int | None = None
    falling_points: int = 5


@dataclass(frozen=True)
class Judgement:
    total: int | None
    low: bool
    reasons: tuple[str, ...]
    change: int | None
    falling: bool


def _score_items(definition: Definition, score_id: str) -> tuple[str, ...]:
    for score in definition.scores:
        if score.id == score_id:
            return score.items
    return ()


def judge(
    definition: Definition, result: ScoreResult, rule: Rule, *, previous_total: int | None
) -> Judgement:
    """Low: any rule that is set fires (item, overall item, total). Falling: the total fell
    by at least `falling_points` since `previous_total`. An unanswered item flags nothing."""
    scores: Mapping[str, int] = result.item_scores
    value = result.scores.get(rule.score_id)
    total = value.value if value is not None else None
    reasons = []
    items = [scores[i] for i in _score_items(definition, rule.score_id) if i in scores]
    if rule.low_item_at_or_below is not None and any(s <= rule.low_item_at_or_below for s in items):
        reasons.append("item")
    overall = scores.get(rule.overall_item) if rule.overall_item else None
    if (
        rule.low_overall_at_or_below is not None
        and overall is not None
        and overall <= rule.low_overall_at_or_below
    ):
        reasons.append("overall")
    if rule.low_total_below is not None and total is not None and total < rule.low_total_below:
        reasons.append("total")
    change = total - previous_total if total is not None and previous_total is not None else None
    return Judgement(
        total=total,
        low=bool(reasons),
        reasons=tuple(reasons),
        change=change,
        falling=change is not None and -change >= rule.falling_points,
    )
