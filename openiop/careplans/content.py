"""What a signature covers, and what changed between two versions of a plan.

`plan_content(plan)` is the plan as one JSON-able dict: the plan's own fields and every
problem, goal, objective and intervention, each child keyed by its `lineage` so that the same
item can be followed across versions. Each signature stores `content_hash(plan_content(plan))`
(45 CFR 164.312(c)(2)); `plan_diff` compares two such dicts.

Workflow state is not content: status, the effective and review dates, the edit counter and
the interventions' bookings change after signing without changing what was agreed. The
physician's certified weekly hours are written by the physician's own signature (their
attestation states the hours), so they are not part of what the others signed either.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from openiop.accounts.models import User
from openiop.careplans.models import (
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    TreatmentPlan,
)
from openiop.intake.models import Level
from openiop.lib.integrity import content_hash
from openiop.lib.timefmt import format_date

PLAN_FIELDS = (
    "level_of_care",
    "strengths",
    "preferences",
    "barriers",
    "technology_barriers",
    "discharge_criteria",
    "anticipated_discharge_on",
)
PROBLEM_FIELDS = ("in_own_words", "clinical_statement", "assessment_findings", "diagnoses")
GOAL_FIELDS = ("text", "problem")
OBJECTIVE_FIELDS = ("text", "target_date", "measure", "status", "goal")
INTERVENTION_FIELDS = (
    "modality",
    "description",
    "frequency",
    "duration_minutes",
    "length_weeks",
    "responsible_discipline",
    "responsible_person",
    "objectives",
)


CONTENT_PREFETCH = (
    Prefetch("problems", queryset=PlanProblem.objects.prefetch_related("diagnoses")),
    Prefetch("problems__goals", queryset=Goal.objects.all()),
    Prefetch("problems__goals__objectives", queryset=Objective.objects.all()),
    Prefetch(
        "interventions",
        queryset=Intervention.objects.select_related("responsible_person").prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.only("id", "lineage"))
        ),
    ),
)


def with_content(plans: Any) -> Any:
    """`plans` (a queryset) with everything `plan_content` reads, in a fixed number of queries."""
    return plans.select_related(
        "participant", "episode", "assessment", "previous"
    ).prefetch_related(*CONTENT_PREFETCH)


def load_content(plan: TreatmentPlan) -> None:
    """Prefetch what `plan_content` reads onto a plan that came without it."""
    prefetch_related_objects([plan], *CONTENT_PREFETCH)


def _code(row: Any) -> str | None:
    return str(row.code) if row is not None else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def plan_content(plan: TreatmentPlan) -> dict[str, Any]:
    """The plan and all its children as signed (see the module docstring for what is left out)."""
    return {
        "plan": {
            "code": str(plan.code),
            "lineage": str(plan.lineage),
            "number": plan.number,
            "reason": plan.reason,
            "participant": _code(plan.participant),
            "episode": _code(plan.episode),
            "assessment": _code(plan.assessment),
            "previous": _code(plan.previous),
            **{
                name: getattr(plan, name)
                for name in PLAN_FIELDS
                if name != "anticipated_discharge_on"
            },
            "anticipated_discharge_on": _iso(plan.anticipated_discharge_on),
        },
        "problems": [
            {
                "lineage": str(problem.lineage),
                "position": problem.position,
                "in_own_words": problem.in_own_words,
                "clinical_statement": problem.clinical_statement,
                "assessment_findings": problem.assessment_findings,
                "diagnoses": sorted(str(d.code) for d in problem.diagnoses.all()),
                "goals": [
                    {
                        "lineage": str(goal.lineage),
                        "position": goal.position,
                        "text": goal.text,
                        "objectives": [_objective(o) for o in goal.objectives.all()],
                    }
                    for goal in problem.goals.all()
                ],
            }
            for problem in plan.problems.all()
        ],
        "interventions": [
            {
                "lineage": str(i.lineage),
                "position": i.position,
                "modality": i.modality,
                "description": i.description,
                "frequency": i.frequency,
                "duration_minutes": i.duration_minutes,
                "length_weeks": i.length_weeks,
                "responsible_discipline": i.responsible_discipline,
                "responsible_person": _code(i.responsible_person),
                "objectives": sorted(str(o.lineage) for o in i.objectives.all()),
            }
            for i in plan.interventions.all()
        ],
    }


def _objective(objective: Objective) -> dict[str, Any]:
    return {
        "lineage": str(objective.lineage),
        "position": objective.position,
        "text": objective.text,
        "target_date": _iso(objective.target_date),
        "measure": objective.measure,
        "measure_comparator": objective.measure_comparator,
        "measure_target": objective.measure_target,
        "status": objective.status,
    }


def plan_hash(plan: TreatmentPlan) -> str:
    return content_hash(plan_content(plan))


# --- The diff ---------------------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass
class ItemChange:
    """One problem, goal, objective or intervention that was added, removed or changed."""

    kind: str
    change: str  # "added" | "removed" | "changed"
    title: str
    context: str = ""
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class PlanDiff:
    old: TreatmentPlan
    new: TreatmentPlan
    plan_fields: list[FieldChange]
    sections: list[tuple[str, list[ItemChange]]]

    @property
    def is_empty(self) -> bool:
        return not self.plan_fields and not any(items for _, items in self.sections)


LABELS = {
    "level_of_care": "Level of care",
    "strengths": "Strengths",
    "preferences": "Preferences",
    "barriers": "Barriers",
    "technology_barriers": "Technology barriers",
    "discharge_criteria": "Discharge criteria",
    "anticipated_discharge_on": "Anticipated discharge date",
    "in_own_words": "In the participant's own words",
    "clinical_statement": "Clinical statement",
    "assessment_findings": "Assessment findings",
    "diagnoses": "Diagnoses",
    "text": "Text",
    "problem": "Under problem",
    "goal": "Under goal",
    "target_date": "Target date",
    "measure": "Measure target",
    "status": "Status",
    "modality": "Modality",
    "description": "Description",
    "frequency": "Frequency",
    "duration_minutes": "Minutes per session",
    "length_weeks": "Weeks",
    "responsible_discipline": "Responsible discipline",
    "responsible_person": "Responsible person",
    "objectives": "Objectives served",
}
COMPARATORS = {"lte": "≤", "gte": "≥"}


def _short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def measure_label(measure: str, comparator: str, target: int | None) -> str:
    """ "phq-9", "lte", 9 → "PHQ-9 ≤ 9"."""
    if not measure:
        return ""
    return f"{measure.upper()} {COMPARATORS.get(comparator, comparator)} {target}"


@dataclass(frozen=True)
class _Ref:
    """A link to another item: compared by lineage, shown by its title."""

    key: str
    label: str = field(compare=False)

    def __str__(self) -> str:
        return self.label


class _Flat:
    """A version's content flattened to {kind: {lineage: fields}} with display values."""

    def __init__(self, content: dict[str, Any], names: dict[str, str]) -> None:
        self.names = names
        self.problems: dict[str, dict[str, Any]] = {}
        self.goals: dict[str, dict[str, Any]] = {}
        self.objectives: dict[str, dict[str, Any]] = {}
        self.interventions: dict[str, dict[str, Any]] = {}
        for p_index, problem in enumerate(content["problems"], start=1):
            self.problems[problem["lineage"]] = {
                "title": _short(problem["clinical_statement"] or problem["in_own_words"]),
                "context": f"Problem {p_index}",
                "in_own_words": problem["in_own_words"],
                "clinical_statement": problem["clinical_statement"],
                "assessment_findings": problem["assessment_findings"],
                "diagnoses": ", ".join(sorted(names.get(d, d) for d in problem["diagnoses"])),
            }
            for g_index, goal in enumerate(problem["goals"], start=1):
                self.goals[goal["lineage"]] = {
                    "title": _short(goal["text"]),
                    "context": f"Problem {p_index}, goal {g_index}",
                    "text": goal["text"],
                    "problem": _Ref(problem["lineage"], self.problems[problem["lineage"]]["title"]),
                }
                for o_index, objective in enumerate(goal["objectives"], start=1):
                    target = objective["target_date"]
                    self.objectives[objective["lineage"]] = {
                        "title": _short(objective["text"]),
                        "context": f"Problem {p_index}, goal {g_index}, objective {o_index}",
                        "text": objective["text"],
                        "target_date": format_date(date.fromisoformat(target), "plain")
                        if target
                        else "",
                        "measure": measure_label(
                            objective["measure"],
                            objective["measure_comparator"],
                            objective["measure_target"],
                        ),
                        "status": _choice(Objective.Status, objective["status"]),
                        "goal": _Ref(goal["lineage"], self.goals[goal["lineage"]]["title"]),
                    }
        for i_index, item in enumerate(content["interventions"], start=1):
            modality = _choice(Intervention.Modality, item["modality"])
            self.interventions[item["lineage"]] = {
                "title": modality
                + (f": {_short(item['description'], 60)}" if item["description"] else ""),
                "context": f"Intervention {i_index}",
                "modality": modality,
                "description": item["description"],
                "frequency": _choice(Intervention.Frequency, item["frequency"]),
                "duration_minutes": str(item["duration_minutes"]),
                "length_weeks": str(item["length_weeks"] or ""),
                "responsible_discipline": _choice(User.Discipline, item["responsible_discipline"]),
                "responsible_person": names.get(item["responsible_person"] or "", ""),
                "objectives": _Ref(
                    " ".join(item["objectives"]),
                    # In the plan's order, not the lineages' (random) order.
                    "; ".join(
                        objective["title"]
                        for lineage, objective in self.objectives.items()
                        if lineage in item["objectives"]
                    ),
                ),
            }


def _choice(choices: Any, value: str) -> str:
    if not value:
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _plan_value(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    if name == "anticipated_discharge_on":
        return format_date(date.fromisoformat(value), "plain")
    if name == "level_of_care":
        return _choice(Level, value)
    return str(value)


def _compare(kind: str, before: dict, after: dict, fields: tuple[str, ...]) -> list[ItemChange]:
    changes = []
    for lineage, new in after.items():
        old = before.get(lineage)
        if old is None:
            changes.append(ItemChange(kind, "added", new["title"], new["context"]))
            continue
        changed = [
            FieldChange(name, LABELS[name], str(old[name]), str(new[name]))
            for name in fields
            if old[name] != new[name]
        ]
        if changed:
            changes.append(ItemChange(kind, "changed", new["title"], new["context"], changed))
    for lineage, old in before.items():
        if lineage not in after:
            changes.append(ItemChange(kind, "removed", old["title"], old["context"]))
    return changes


def _names(plans: list[TreatmentPlan]) -> dict[str, str]:
    """Codes of diagnoses and people → how they read, from the prefetched rows."""
    names: dict[str, str] = {}
    for plan in plans:
        for problem in plan.problems.all():
            for diagnosis in problem.diagnoses.all():
                names[str(diagnosis.code)] = str(diagnosis)
        for intervention in plan.interventions.all():
            if intervention.responsible_person is not None:
                person = intervention.responsible_person
                names[str(person.code)] = person.display_name
    return names


def plan_diff(old: TreatmentPlan, new: TreatmentPlan) -> PlanDiff:
    """What changed from `old` to `new` (two versions, children prefetched), by lineage."""
    names = _names([old, new])
    before_content, after_content = plan_content(old), plan_content(new)
    before, after = _Flat(before_content, names), _Flat(after_content, names)
    plan_fields = [
        FieldChange(
            name,
            LABELS[name],
            _plan_value(name, before_content["plan"][name]),
            _plan_value(name, after_content["plan"][name]),
        )
        for name in PLAN_FIELDS
        if before_content["plan"][name] != after_content["plan"][name]
    ]
    sections = [
        ("Problems", _compare("problem", before.problems, after.problems, PROBLEM_FIELDS)),
        ("Goals", _compare("goal", before.goals, after.goals, GOAL_FIELDS)),
        (
            "Objectives",
            _compare("objective", before.objectives, after.objectives, OBJECTIVE_FIELDS),
        ),
        (
            "Interventions",
            _compare(
                "intervention", before.interventions, after.interventions, INTERVENTION_FIELDS
            ),
        ),
    ]
    return PlanDiff(old=old, new=new, plan_fields=plan_fields, sections=sections)
