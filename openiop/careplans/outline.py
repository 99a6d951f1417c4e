"""A treatment plan as one numbered outline, read in a fixed number of queries.

Problems, goals and objectives are numbered as people cite them ("objective 1.2.1"), and each
intervention lists the objectives it serves by those numbers. The page, the PDF and anything
else that shows a whole plan read it through `plan_outline`, so its query count does not grow
with the number of problems, goals, objectives or interventions.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from openiop.accounts.models import User
from openiop.careplans import hooks
from openiop.careplans.measures import measure_text
from openiop.careplans.models import (
    Diagnosis,
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    PlanSignature,
    TreatmentPlan,
)
from openiop.intake.models import Level


@dataclass
class ObjectiveRow:
    objective: Objective
    label: str
    measure: str
    notes: list[Any] = field(default_factory=list)


@dataclass
class GoalRow:
    goal: Goal
    label: str
    objectives: list[ObjectiveRow]


@dataclass
class ProblemRow:
    problem: PlanProblem
    label: str
    goals: list[GoalRow]
    diagnoses: list[Diagnosis]


@dataclass
class InterventionRow:
    intervention: Intervention
    objectives: list[ObjectiveRow]
    discipline: str


@dataclass
class Outline:
    problems: list[ProblemRow]
    interventions: list[InterventionRow]
    signatures: list[PlanSignature]
    diagnoses: list[Diagnosis]
    level_of_care: str

    @property
    def objectives(self) -> list[ObjectiveRow]:
        return [o for p in self.problems for g in p.goals for o in g.objectives]


def plan_outline(plan: TreatmentPlan, *, with_notes: bool = False) -> Outline:
    """The whole plan; `with_notes` adds, per objective, the notes that addressed it (any
    version's objective of the same lineage, through careplans.hooks)."""
    prefetch_related_objects(
        [plan],
        "problems__diagnoses",
        "problems__goals__objectives",
        Prefetch(
            "interventions",
            queryset=Intervention.objects.select_related("responsible_person").prefetch_related(
                "objectives"
            ),
        ),
        Prefetch("signatures", queryset=PlanSignature.objects.select_related("signed_by")),
    )
    rows: dict[int, ObjectiveRow] = {}
    problems = []
    diagnoses: dict[int, Diagnosis] = {}
    for p, problem in enumerate(plan.problems.all(), start=1):
        goals = []
        for g, goal in enumerate(problem.goals.all(), start=1):
            objectives = []
            for o, objective in enumerate(goal.objectives.all(), start=1):
                row = ObjectiveRow(objective, f"{p}.{g}.{o}", measure_text(objective))
                rows[objective.pk] = row
                objectives.append(row)
            goals.append(GoalRow(goal, f"{p}.{g}", objectives))
        linked = list(problem.diagnoses.all())
        diagnoses.update((d.pk, d) for d in linked)
        problems.append(ProblemRow(problem, str(p), goals, linked))
    disciplines = dict(User.Discipline.choices)
    interventions = [
        InterventionRow(
            i,
            [rows[o.pk] for o in i.objectives.all() if o.pk in rows],
            disciplines.get(i.responsible_discipline, i.responsible_discipline),
        )
        for i in plan.interventions.all()
    ]
    if with_notes and rows:
        found = hooks.notes_by_objective({row.objective.lineage for row in rows.values()})
        for row in rows.values():
            row.notes = found.get(row.objective.lineage, [])
    for intervention in interventions:
        intervention.objectives.sort(key=lambda o: [int(n) for n in o.label.split(".")])
    return Outline(
        problems=problems,
        interventions=interventions,
        signatures=list(plan.signatures.all()),
        diagnoses=sorted(diagnoses.values(), key=lambda d: (d.rank, d.icd10_code)),
        level_of_care=dict(Level.choices).get(plan.level_of_care, plan.level_of_care),
    )
