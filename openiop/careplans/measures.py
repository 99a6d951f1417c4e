"""Measure targets of SMART objectives: "PHQ-9 ≤ 9 by 12 Mar 2027" (CLINICAL.md §5.3).

An objective may name a shipped instrument's total score, a comparator and a value within that
score's range. Only instruments OpenIOP ships with their text and a validated total (CLINICAL.md
"Decisions") are offered; the range comes from the instrument's own definition file.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from openiop.assessments.definitions import shipped_definitions

MEASURE_KEYS = ("phq-9", "gad-7", "pcl-5")
COMPARATOR_SIGNS = {"lte": "≤", "gte": "≥"}


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    minimum: int
    maximum: int


@cache
def measures() -> dict[str, Measure]:
    definitions = shipped_definitions()
    found = {}
    for key in MEASURE_KEYS:
        total = next(s for s in definitions[key].scores if s.id == "total")
        found[key] = Measure(key, key.upper(), total.min, total.max)
    return found


def measure_choices() -> list[tuple[str, str]]:
    return [(m.key, f"{m.label} total ({m.minimum}–{m.maximum})") for m in measures().values()]


def measure_text(objective: Any) -> str:
    """ "PHQ-9 ≤ 9", or "" for an objective without a measure target."""
    if not objective.measure:
        return ""
    measure = measures().get(objective.measure)
    label = measure.label if measure else objective.measure
    sign = COMPARATOR_SIGNS.get(objective.measure_comparator, objective.measure_comparator)
    return f"{label} {sign} {objective.measure_target}"
