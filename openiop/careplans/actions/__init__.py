"""Every careplans write: atomic, audited, with the acting user keyword-only.

One module per part of the record; callers use the names re-exported here
(`from openiop.careplans import actions; actions.start_plan(...)`).
"""

from openiop.careplans.actions.booking import book_intervention_series
from openiop.careplans.actions.plans import (
    MAX_TEXT,
    NEEDS_TARGET_DATE,
    OBJECTIVE_HORIZON_DAYS,
    OPEN_STATUSES,
    PlanError,
    PlanExists,
    PlanNotEditable,
    StalePlan,
    copy_plan_for_review,
    objective_errors,
    program_today,
    remove_plan_item,
    responsible_people,
    save_goal,
    save_intervention,
    save_objective,
    save_problem,
    start_plan,
    text_errors,
    update_plan,
)

__all__ = [
    "MAX_TEXT",
    "NEEDS_TARGET_DATE",
    "OBJECTIVE_HORIZON_DAYS",
    "OPEN_STATUSES",
    "PlanError",
    "PlanExists",
    "PlanNotEditable",
    "StalePlan",
    "book_intervention_series",
    "copy_plan_for_review",
    "objective_errors",
    "program_today",
    "remove_plan_item",
    "responsible_people",
    "save_goal",
    "save_intervention",
    "save_objective",
    "save_problem",
    "start_plan",
    "text_errors",
    "update_plan",
]
