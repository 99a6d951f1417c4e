"""Change that means something (CLINICAL.md §3): per participant and measure, the baseline, the
latest score, the change, whether it is reliable, response and remission.

The judgement is pure (`judge`), over a series of scores and a rule; the queries around it read
the series and the active rule. The rules are configuration (assessments.ChangeRule):

- Reliable change: the Jacobson–Truax RCI, (x_post − x_pre) / S_diff with
  S_diff = SD·√2·√(1 − r_xx), reliable when |RCI| > 1.96 (§3.1), when the rule has both a
  reliability and a reference SD; otherwise the configured point threshold (IAPT: PHQ-9 ≥ 6,
  GAD-7 ≥ 4; §3.3), and the result says which it used; otherwise no reliable-change rule.
- Response: at least the configured share (50 %) of the baseline gone.
- Remission: the latest score below the configured cut (PHQ-9 < 5), judged only when the
  baseline was a case (PHQ-9 ≥ 10), as CMS159's denominator is.

The baseline is the first submitted, scored response; a correction stands in for the response it
corrects. One score only is not an error: there is no change yet, and every judgement is None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from openiop.assessments.models import ChangeRule, Response

if TYPE_CHECKING:
    from openiop.participants.models import Participant

# Two-tailed p < .05 (Jacobson & Truax 1991).
RCI_CRITICAL = 1.96


class Method(StrEnum):
    RCI = "rci"
    POINTS = "points"
    NONE = "none"


class Reliable(StrEnum):
    IMPROVED = "improved"
    DETERIORATED = "deteriorated"
    UNCHANGED = "unchanged"  # no reliable change


RELIABLE_LABELS = {
    Reliable.IMPROVED: "Reliable improvement",
    Reliable.DETERIORATED: "Reliable deterioration",
    Reliable.UNCHANGED: "No reliable change",
}


@dataclass(frozen=True)
class Point:
    at: datetime
    value: int
    response: UUID


@dataclass(frozen=True)
class Rule:
    """The numbers of a ChangeRule, detached from the database."""

    instrument_key: str
    score_id: str = "total"
    version: int = 1
    lower_is_better: bool = True
    reliability: Decimal | None = None
    reference_sd: Decimal | None = None
    reliable_change_points: int | None = None
    response_fraction: Decimal | None = None
    remission_below: Decimal | None = None
    caseness_at_least: Decimal | None = None
    source: str = ""

    @classmethod
    def from_model(cls, row: ChangeRule) -> Rule:
        return cls(
            instrument_key=row.instrument_key,
            score_id=row.score_id,
            version=row.version,
            lower_is_better=row.lower_is_better,
            reliability=row.reliability,
            reference_sd=row.reference_sd,
            reliable_change_points=row.reliable_change_points,
            response_fraction=row.response_fraction,
            remission_below=row.remission_below,
            caseness_at_least=row.caseness_at_least,
            source=row.source,
        )

    @property
    def method(self) -> Method:
        if self.reliability is not None and self.reference_sd is not None:
            return Method.RCI
        if self.reliable_change_points is not None:
            return Method.POINTS
        return Method.NONE

    @property
    def threshold(self) -> float | None:
        """The smallest raw change that is reliable (1.96·S_diff for the RCI)."""
        if self.method == Method.RCI:
            assert self.reliability is not None and self.reference_sd is not None
            return RCI_CRITICAL * s_diff(float(self.reliability), float(self.reference_sd))
        if self.method == Method.POINTS:
            return float(self.reliable_change_points or 0)
        return None


def s_diff(reliability: float, sd: float) -> float:
    """Standard error of the difference: SD·√2·√(1 − r_xx) (CLINICAL.md §3.1)."""
    return sd * math.sqrt(2) * math.sqrt(1 - reliability)


def rci(pre: float, post: float, *, reliability: float, sd: float) -> float:
    """Jacobson–Truax reliable change index of a change from `pre` to `post`."""
    return (post - pre) / s_diff(reliability, sd)


@dataclass(frozen=True)
class Change:
    points: tuple[Point, ...]
    rule: Rule | None
    method: Method = Method.NONE
    rci: float | None = None
    reliable: Reliable | None = None
    response: bool | None = None
    remission: bool | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def baseline(self) -> Point | None:
        return self.points[0] if self.points else None

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def change(self) -> int | None:
        """Latest minus baseline; None with fewer than two scores."""
        if len(self.points) < 2:
            return None
        return self.points[-1].value - self.points[0].value

    @property
    def threshold(self) -> float | None:
        return self.rule.threshold if self.rule is not None else None

    @property
    def deteriorated(self) -> bool:
        return self.reliable == Reliable.DETERIORATED

    @property
    def improved(self) -> bool:
        return self.reliable == Reliable.IMPROVED

    @property
    def reliable_label(self) -> str:
        return RELIABLE_LABELS[self.reliable] if self.reliable is not None else ""


def judge(points: Sequence[Point], rule: Rule | None) -> Change:
    """Judge the change from the first to the last of `points` (in time order) under `rule`."""
    points = tuple(points)
    if rule is None:
        return Change(
            points,
            None,
            notes=("No change rule is configured for this measure.",),
        )
    method = rule.method
    notes: list[str] = []
    if method == Method.POINTS:
        notes.append(
            "No reliability data for this measure: reliable change is a change of at least "
            f"{rule.reliable_change_points} points."
        )
    elif method == Method.NONE:
        notes.append("No reliable-change rule is configured for this measure.")
    if len(points) < 2:
        return Change(points, rule, method=method, notes=tuple(notes))
    baseline, latest = points[0].value, points[-1].value
    delta = latest - baseline
    worse = delta > 0 if rule.lower_is_better else delta < 0
    index: float | None = None
    reliable: Reliable | None = None
    if method == Method.RCI:
        assert rule.reliability is not None and rule.reference_sd is not None
        index = rci(
            baseline, latest, reliability=float(rule.reliability), sd=float(rule.reference_sd)
        )
        is_reliable = abs(index) > RCI_CRITICAL
    elif method == Method.POINTS:
        is_reliable = abs(delta) >= (rule.reliable_change_points or 0)
    else:
        is_reliable = False
    if method != Method.NONE:
        if not is_reliable:
            reliable = Reliable.UNCHANGED
        else:
            reliable = Reliable.DETERIORATED if worse else Reliable.IMPROVED
    return Change(
        points,
        rule,
        method=method,
        rci=index,
        reliable=reliable,
        response=_response(baseline, latest, rule),
        remission=_remission(baseline, latest, rule, notes),
        notes=tuple(notes),
    )


def _response(baseline: int, latest: int, rule: Rule) -> bool | None:
    if rule.response_fraction is None or not rule.lower_is_better or baseline <= 0:
        return None
    return Decimal(baseline - latest) >= rule.response_fraction * Decimal(baseline)


def _remission(baseline: int, latest: int, rule: Rule, notes: list[str]) -> bool | None:
    if rule.remission_below is None:
        return None
    if rule.caseness_at_least is not None and baseline < rule.caseness_at_least:
        notes.append(
            f"Remission is judged only from a baseline of {rule.caseness_at_least:g} or more."
        )
        return None
    return Decimal(latest) < rule.remission_below


# Queries


def active_rules(keys: Iterable[str] | None = None) -> dict[tuple[str, str], Rule]:
    """The active rule of each (instrument key, score id)."""
    rows = ChangeRule.objects.filter(is_active=True)
    if keys is not None:
        rows = rows.filter(instrument_key__in=list(keys))
    return {(row.instrument_key, row.score_id): Rule.from_model(row) for row in rows}


def _scored(rows: Iterable[Any], score_id: str) -> list[tuple[str, Point]]:
    series = []
    for key, scores, at, code in rows:
        value = (scores or {}).get(score_id, {}).get("value")
        if value is None:  # incomplete: never read as a score
            continue
        series.append((key, Point(at=at, value=int(value), response=code)))
    return series


def submitted_scores(participant: Participant, keys: Iterable[str] | None = None) -> Any:
    """The participant's submitted responses that stand (not corrected since), oldest first,
    as (instrument key, scores, time, code) rows."""
    rows = Response.objects.filter(
        participant=participant,
        status=Response.Status.SUBMITTED,
        replaced_by__isnull=True,
    )
    if keys is not None:
        rows = rows.filter(instrument__key__in=list(keys))
    # A correction stands at the time of the response it corrects: the time its assignment
    # was first completed, which a correction leaves alone.
    return rows.order_by("assignment__completed_at", "id").values_list(
        "instrument__key", "scores", "assignment__completed_at", "code"
    )


def series(participant: Participant, instrument_key: str, score_id: str = "total") -> list[Point]:
    """The participant's scores on one measure, oldest first (incomplete ones left out)."""
    return [
        point for _, point in _scored(submitted_scores(participant, [instrument_key]), score_id)
    ]


def changes(participant: Participant) -> dict[str, Change]:
    """Each measure (instrument key) the participant has a score on, judged by its active rule
    on its total — two queries whatever the number of measures."""
    rules = active_rules()
    by_key: dict[str, list[Point]] = {}
    for key, point in _scored(submitted_scores(participant), "total"):
        by_key.setdefault(key, []).append(point)
    return {key: judge(points, rules.get((key, "total"))) for key, points in by_key.items()}


def change_for(participant: Participant, instrument_key: str, score_id: str = "total") -> Change:
    rule = active_rules([instrument_key]).get((instrument_key, score_id))
    return judge(series(participant, instrument_key, score_id), rule)
