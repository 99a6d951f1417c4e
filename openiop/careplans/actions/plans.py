"""Writing a treatment plan: start it from the intake assessment, edit the draft, copy it for a
review (CLINICAL.md §5.3).

Steps every save of a draft takes:
1. Lock the plan row and refuse anything but a draft (`PlanNotEditable`): a plan awaiting
   signatures or in effect changes only through a review, which copies it into a new draft.
2. Compare the `edit_version` the editor started from with the row's (`StalePlan`), then bump
   it, so two people editing one draft never overwrite each other silently.
3. Write, and append one audit event naming ids and field names only.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans.measures import COMPARATOR_SIGNS, measures
from openiop.careplans.models import (
    Diagnosis,
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    TreatmentPlan,
)
from openiop.intake.actions import latest_results
from openiop.intake.models import ComprehensiveAssessment, EpisodeOfCare
from openiop.lib.timefmt import as_zone, format_date
from openiop.participants.models import Participant
from openiop.programs.models import Program

# Any one text field of a plan; longer detail belongs in a note. 100 KB pasted by mistake is
# refused with this limit in the message, and the form keeps the text.
MAX_TEXT = 20_000
# An objective's target date may fall after the anticipated discharge (aftercare goals), but not
# by more than this.
OBJECTIVE_HORIZON_DAYS = 90
OPEN_STATUSES = (TreatmentPlan.Status.DRAFT, TreatmentPlan.Status.AWAITING_SIGNATURES)
CURRENT_DIAGNOSIS = (Diagnosis.Status.ACTIVE, Diagnosis.Status.IN_REMISSION)
REVIEW_REASONS = (
    TreatmentPlan.Reason.SCHEDULED_REVIEW,
    TreatmentPlan.Reason.LEVEL_OF_CARE_CHANGE,
    TreatmentPlan.Reason.CLINICAL_CHANGE,
)
PLAN_FIELDS = (
    "strengths",
    "preferences",
    "barriers",
    "technology_barriers",
    "discharge_criteria",
    "anticipated_discharge_on",
)
PROBLEM_FIELDS = ("in_own_words", "clinical_statement", "assessment_findings")
GOAL_FIELDS = ("text",)
OBJECTIVE_FIELDS = (
    "text",
    "target_date",
    "measure",
    "measure_comparator",
    "measure_target",
    "status",
)
INTERVENTION_FIELDS = (
    "modality",
    "description",
    "frequency",
    "duration_minutes",
    "length_weeks",
    "responsible_discipline",
    "responsible_person",
)
ITEM_KINDS = {
    PlanProblem: "problem",
    Goal: "goal",
    Objective: "objective",
    Intervention: "intervention",
}
# A prompt the clinician completes with the participant: what could keep them from joining by
# video (CLINICAL.md §5.3 barriers; the program is delivered online).
TECHNOLOGY_PROMPT = (
    "Device: \n"
    "Internet connection: \n"
    "A private place for video sessions: \n"
    "Comfort with the video platform: "
)
NEEDS_TARGET_DATE = (
    "Give the objective a target date: an objective without a target date is not time-bound "
    "(SMART)."
)


class PlanError(Exception):
    """A plan change the rules refuse; the message is safe to show."""


class PlanExists(PlanError):
    """The participant already has an open draft (or a plan in effect): `plan` is it."""

    def __init__(self, message: str, plan: TreatmentPlan):
        super().__init__(message)
        self.plan = plan


class PlanNotEditable(PlanError):
    pass


class StalePlan(PlanError):
    """Someone saved the draft after the editor loaded it; `current_version` is theirs."""

    def __init__(self, current_version: int):
        super().__init__(
            "Someone else saved this plan while you were editing it. Your entries are kept "
            "below; check the plan as it is now and save again."
        )
        self.current_version = current_version


def program_today(program: Program | None) -> date:
    zone = as_zone(program.timezone if program else "America/New_York")
    return timezone.now().astimezone(zone).date()


def responsible_people(participant: Participant) -> QuerySet[User]:
    """Who may carry out an intervention: clinicians of the care team or the program's staff."""
    return (
        User.objects.filter(
            is_active=True, role__in=(User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
        )
        .filter(
            Q(care_team_roles__participant=participant)
            | Q(program_memberships__program_id=participant.program_id)
        )
        .distinct()
        .order_by("family_name", "given_name", "id")
    )


def text_errors(fields: Mapping[str, Any]) -> dict[str, str]:
    return {
        name: f"Keep this to {MAX_TEXT:,} characters or fewer (it has {len(value):,})."
        for name, value in fields.items()
        if isinstance(value, str) and len(value) > MAX_TEXT
    }


def objective_errors(
    plan: TreatmentPlan,
    *,
    target_date: date | None,
    measure: str,
    comparator: str,
    target: int | None,
    saved_target_date: date | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """What makes an objective not SMART, by field name (empty when it is fine).

    The target date must be after today when it is set or changed (an objective carried into a
    review keeps its past date until someone changes it), and no later than the anticipated
    discharge plus OBJECTIVE_HORIZON_DAYS. A measure target names an instrument, a comparator
    and a value inside the instrument's range, or none of the three.
    """
    errors: dict[str, str] = {}
    today = today or program_today(plan.participant.program)
    if target_date is None:
        errors["target_date"] = NEEDS_TARGET_DATE
    else:
        if target_date != saved_target_date and target_date <= today:
            errors["target_date"] = (
                f"Choose a target date after today ({format_date(today, 'plain')})."
            )
        elif plan.anticipated_discharge_on is not None:
            latest = plan.anticipated_discharge_on + timedelta(days=OBJECTIVE_HORIZON_DAYS)
            if target_date > latest:
                errors["target_date"] = (
                    f"Choose a target date on or before {format_date(latest, 'plain')}, "
                    f"{OBJECTIVE_HORIZON_DAYS} days after the anticipated discharge date."
                )
    given = [bool(measure), bool(comparator), target is not None]
    if any(given) and not all(given):
        errors["measure"] = (
            "For a measure target give the questionnaire, at most or at least, and the score; "
            "or leave all three empty."
        )
    elif measure:
        known = measures().get(measure)
        if known is None:
            errors["measure"] = "Choose one of the questionnaires listed."
        elif comparator not in COMPARATOR_SIGNS:
            errors["measure_comparator"] = "Choose at most or at least."
        elif target is None or not known.minimum <= target <= known.maximum:
            errors["measure_target"] = (
                f"A {known.label} total score is between {known.minimum} and {known.maximum}."
            )
    return errors


def assessment_findings(participant: Participant, assessment: ComprehensiveAssessment) -> str:
    """The latest scores and the intake clinician's ratings, one per line."""
    lines = []
    for result in sorted(latest_results(participant).values(), key=lambda r: r.definition_id):
        total = result.scores.get("total")
        if total is None:
            continue
        if total.value is None:
            lines.append(f"{total.label}: incomplete")
        elif total.band is not None:
            lines.append(f"{total.label}: {total.value} ({total.band.label})")
        else:
            lines.append(f"{total.label}: {total.value}")
    lines.append(
        f"Functional impairment (clinician-rated): {assessment.get_functional_impairment_display()}"
    )
    lines.append(f"Risk of harm (clinician-rated): {assessment.get_clinician_risk_display()}")
    if assessment.locus_composite is not None:
        lines.append(f"LOCUS composite: {assessment.locus_composite}")
    if assessment.asam_level:
        lines.append(f"ASAM level: {assessment.asam_level}")
    return "\n".join(lines)


def _refuse_second_plan(participant: Participant) -> None:
    existing = (
        TreatmentPlan.objects.filter(participant=participant, status__in=OPEN_STATUSES)
        .order_by("-created_at")
        .first()
    )
    if existing is not None:
        raise PlanExists(
            "This participant already has an open draft of a treatment plan: continue that one.",
            existing,
        )


@transaction.atomic
def start_plan(participant: Participant, *, acting_user: User) -> TreatmentPlan:
    """A first draft for the active episode of care, pre-filled from its intake assessment."""
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    _refuse_second_plan(participant)
    active = TreatmentPlan.objects.filter(
        participant=participant, status=TreatmentPlan.Status.ACTIVE
    ).first()
    if active is not None:
        raise PlanExists(
            "A treatment plan is in effect: change it by starting a review, which makes a new "
            "version.",
            active,
        )
    episode = (
        EpisodeOfCare.objects.filter(participant=participant, status=EpisodeOfCare.Status.ACTIVE)
        .select_related("program")
        .order_by("-admitted_at")
        .first()
    )
    if episode is None:
        raise PlanError("Admit the participant first: a treatment plan belongs to an admission.")
    assessment = ComprehensiveAssessment.objects.filter(referral_id=episode.referral_id).first()
    if assessment is None:
        raise PlanError("There is no intake assessment to start the plan from.")
    program = episode.program
    admitted_on = episode.admitted_at.astimezone(as_zone(program.timezone)).date()
    plan = TreatmentPlan.objects.create(
        participant=participant,
        episode=episode,
        assessment=assessment,
        number=1,
        reason=TreatmentPlan.Reason.INITIAL,
        status=TreatmentPlan.Status.DRAFT,
        level_of_care=episode.level_of_care,
        strengths=assessment.strengths,
        technology_barriers=TECHNOLOGY_PROMPT,
        anticipated_discharge_on=admitted_on + timedelta(weeks=program.typical_length_weeks),
        review_due_on=program_today(program) + timedelta(days=program.plan_review_days),
        created_by=acting_user,
    )
    codes = [str(code) for code in assessment.diagnoses or []]
    on_chart = {
        d.icd10_code: d
        for d in Diagnosis.objects.filter(
            participant=participant, icd10_code__in=codes, status__in=CURRENT_DIAGNOSIS
        )
    }
    findings = assessment_findings(participant, assessment)
    for position, code in enumerate(codes or [""]):
        diagnosis = on_chart.get(code)
        if diagnosis is not None:
            statement = str(diagnosis)
        elif code:
            statement = f"{code} (working diagnosis at intake)"
        else:
            statement = assessment.presenting_problem
        problem = PlanProblem.objects.create(
            plan=plan,
            position=position,
            in_own_words=assessment.goals if position == 0 else "",
            clinical_statement=statement,
            assessment_findings=findings,
        )
        if diagnosis is not None:
            problem.diagnoses.add(diagnosis)
    record(
        "careplans.plan_started",
        acting_user=acting_user,
        participant=participant,
        target=plan,
        details={
            "plan": str(plan.code),
            "episode": str(episode.code),
            "number": plan.number,
            "reason": plan.reason,
        },
    )
    return plan


def _lock_draft(
    plan: TreatmentPlan, edit_version: int | None, *, item: Any = None
) -> TreatmentPlan:
    """Lock the draft, check the editor's version and bump it; and check that the item being
    changed is still there (someone may have removed it since)."""
    locked = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
    if not locked.is_editable:
        raise PlanNotEditable(
            f"This plan is {locked.get_status_display().lower()}: it can no longer be changed. "
            "Changes go into a review, which makes a new version."
        )
    if edit_version != locked.edit_version:
        raise StalePlan(locked.edit_version)
    if item is not None and not type(item).objects.filter(pk=item.pk).exists():
        kind = ITEM_KINDS[type(item)]
        raise PlanError(f"Someone else removed this {kind} from the plan; it was not saved.")
    locked.edit_version += 1
    locked.save(update_fields=["edit_version", "updated_at"])
    plan.edit_version = locked.edit_version
    return locked


def _check_texts(fields: Mapping[str, Any]) -> None:
    errors = text_errors(fields)
    if errors:
        raise PlanError(next(iter(errors.values())))


def _changed(row: Any, fields: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    changed = []
    for name in names:
        if name in fields and getattr(row, name) != fields[name]:
            setattr(row, name, fields[name])
            changed.append(name)
    return changed


def _record_item(
    event: str,
    plan: TreatmentPlan,
    kind: str,
    item: Any,
    *,
    acting_user: User,
    **details: Any,
) -> None:
    record(
        event,
        acting_user=acting_user,
        participant=plan.participant,
        target=plan,
        details={
            "plan": str(plan.code),
            "kind": kind,
            "item": str(item.code),
            "version": plan.edit_version,
            **details,
        },
    )


@transaction.atomic
def update_plan(
    plan: TreatmentPlan, *, fields: Mapping[str, Any], edit_version: int, acting_user: User
) -> TreatmentPlan:
    """The plan's own fields: strengths, preferences, barriers, discharge criteria and date."""
    _check_texts(fields)
    locked = _lock_draft(plan, edit_version)
    changed = _changed(locked, fields, PLAN_FIELDS)
    locked.save()
    record(
        "careplans.plan_updated",
        acting_user=acting_user,
        participant=locked.participant,
        target=locked,
        details={"plan": str(locked.code), "fields": changed, "version": locked.edit_version},
    )
    return locked


def _next_position(queryset: QuerySet[Any]) -> int:
    highest = queryset.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _save_item(
    plan: TreatmentPlan,
    kind: str,
    row: Any,
    *,
    is_new: bool,
    changed: list[str],
    acting_user: User,
) -> None:
    row.save()
    if is_new:
        _record_item("careplans.plan_item_added", plan, kind, row, acting_user=acting_user)
    else:
        _record_item(
            "careplans.plan_item_changed",
            plan,
            kind,
            row,
            acting_user=acting_user,
            fields=changed,
        )


@transaction.atomic
def save_problem(
    plan: TreatmentPlan,
    problem: PlanProblem | None,
    *,
    fields: Mapping[str, Any],
    diagnoses: Iterable[Diagnosis],
    edit_version: int,
    acting_user: User,
) -> PlanProblem:
    """Add a problem (`problem` None) or change one: own words, clinical statement, findings
    and the chart diagnoses it rests on."""
    _check_texts(fields)
    chosen = list(diagnoses)
    if any(d.participant_id != plan.participant_id for d in chosen):
        raise PlanError("Link only this participant's diagnoses.")
    _lock_draft(plan, edit_version, item=problem)
    is_new = problem is None
    if problem is None:
        problem = PlanProblem(plan=plan, position=_next_position(plan.problems.all()))
    elif problem.plan_id != plan.pk:
        raise PlanError("That problem belongs to another plan.")
    changed = _changed(problem, fields, PROBLEM_FIELDS)
    before = set() if is_new else set(problem.diagnoses.values_list("pk", flat=True))
    problem.save()
    if before != {d.pk for d in chosen}:
        problem.diagnoses.set(chosen)
        changed.append("diagnoses")
    _save_item(plan, "problem", problem, is_new=is_new, changed=changed, acting_user=acting_user)
    return problem


@transaction.atomic
def save_goal(
    plan: TreatmentPlan,
    goal: Goal | None,
    *,
    problem: PlanProblem,
    fields: Mapping[str, Any],
    edit_version: int,
    acting_user: User,
) -> Goal:
    _check_texts(fields)
    if problem.plan_id != plan.pk:
        raise PlanError("Choose a problem of this plan.")
    _lock_draft(plan, edit_version, item=goal)
    is_new = goal is None
    if goal is None:
        goal = Goal(problem=problem, position=_next_position(problem.goals.all()))
    changed = _changed(goal, fields, GOAL_FIELDS)
    if goal.problem_id != problem.pk:
        goal.problem = problem
        changed.append("problem")
    _save_item(plan, "goal", goal, is_new=is_new, changed=changed, acting_user=acting_user)
    return goal


@transaction.atomic
def save_objective(
    plan: TreatmentPlan,
    objective: Objective | None,
    *,
    goal: Goal,
    fields: Mapping[str, Any],
    edit_version: int,
    acting_user: User,
) -> Objective:
    """A SMART objective: text, a target date and, where it fits, a measure target. Fields
    left out of `fields` keep their saved values."""
    _check_texts(fields)
    if goal.problem.plan_id != plan.pk:
        raise PlanError("Choose a goal of this plan.")
    values: dict[str, Any] = (
        {name: getattr(objective, name) for name in OBJECTIVE_FIELDS} if objective else {}
    )
    values.update(fields)
    values["measure"] = values.get("measure") or ""
    values["measure_comparator"] = values.get("measure_comparator") or ""
    errors = objective_errors(
        plan,
        target_date=values.get("target_date"),
        measure=values["measure"],
        comparator=values["measure_comparator"],
        target=values.get("measure_target"),
        saved_target_date=objective.target_date if objective is not None else None,
    )
    if errors:
        raise PlanError(next(iter(errors.values())))
    _lock_draft(plan, edit_version, item=objective)
    is_new = objective is None
    if objective is None:
        objective = Objective(goal=goal, position=_next_position(goal.objectives.all()))
    changed = _changed(objective, values, OBJECTIVE_FIELDS)
    if objective.goal_id != goal.pk:
        objective.goal = goal
        changed.append("goal")
    _save_item(
        plan, "objective", objective, is_new=is_new, changed=changed, acting_user=acting_user
    )
    return objective


@transaction.atomic
def save_intervention(
    plan: TreatmentPlan,
    intervention: Intervention | None,
    *,
    fields: Mapping[str, Any],
    objectives: Iterable[Objective],
    edit_version: int,
    acting_user: User,
) -> Intervention:
    """Type, amount, frequency and duration, who delivers it, and the objectives it serves
    (CLINICAL.md §5.3)."""
    _check_texts(fields)
    chosen = list(objectives)
    plan_objectives = set(
        Objective.objects.filter(goal__problem__plan=plan).values_list("pk", flat=True)
    )
    if any(o.pk not in plan_objectives for o in chosen):
        raise PlanError("Link only objectives of this plan.")
    person = fields.get("responsible_person")
    if not fields.get("responsible_discipline") and person is None:
        raise PlanError("Name the responsible discipline, the responsible person, or both.")
    if (
        person is not None
        and not responsible_people(plan.participant).filter(pk=person.pk).exists()
    ):
        raise PlanError("Choose someone on the care team or the program's clinical staff.")
    _lock_draft(plan, edit_version, item=intervention)
    is_new = intervention is None
    if intervention is None:
        intervention = Intervention(plan=plan, position=_next_position(plan.interventions.all()))
    elif intervention.plan_id != plan.pk:
        raise PlanError("That intervention belongs to another plan.")
    changed = _changed(intervention, fields, INTERVENTION_FIELDS)
    before = set() if is_new else set(intervention.objectives.values_list("pk", flat=True))
    intervention.save()
    if before != {o.pk for o in chosen}:
        intervention.objectives.set(chosen)
        changed.append("objectives")
    _save_item(
        plan,
        "intervention",
        intervention,
        is_new=is_new,
        changed=changed,
        acting_user=acting_user,
    )
    return intervention


@transaction.atomic
def remove_plan_item(
    plan: TreatmentPlan,
    item: PlanProblem | Goal | Objective | Intervention,
    *,
    edit_version: int,
    acting_user: User,
) -> int:
    """Remove a problem (with its goals and objectives), a goal (with its objectives), an
    objective or an intervention from a draft; returns how many rows went."""
    _lock_draft(plan, edit_version, item=item)
    kind = ITEM_KINDS[type(item)]
    _, per_model = item.delete()
    removed = sum(per_model.get(model._meta.label, 0) for model in ITEM_KINDS)
    _record_item(
        "careplans.plan_item_removed", plan, kind, item, acting_user=acting_user, removed=removed
    )
    return removed


@transaction.atomic
def copy_plan_for_review(plan: TreatmentPlan, *, reason: str, acting_user: User) -> TreatmentPlan:
    """A new draft version of the plan in effect, for a review.

    The copy has number + 1, `previous` set to the plan, the same plan lineage, and every
    problem, goal, objective and intervention copied with its own lineage kept, so a diff
    between versions and the notes that addressed an objective follow each item. Links between
    interventions and objectives point at the copies; links to the chart's diagnoses stay. The
    level of care is the episode's current one (a level-of-care change is a reason for a
    review); the physician's certified weekly hours are not carried over, since the new version
    needs its own certification. Records `careplans.plan_copied`; a caller records nothing else.
    """
    if reason not in REVIEW_REASONS:
        raise PlanError("Give the reason for the review.")
    source = (
        TreatmentPlan.objects.select_for_update(of=("self",))
        .select_related("episode", "participant__program")
        .get(pk=plan.pk)
    )
    if source.status != TreatmentPlan.Status.ACTIVE:
        raise PlanError("Only the plan in effect can be reviewed.")
    Participant.objects.select_for_update().filter(pk=source.participant_id).first()
    _refuse_second_plan(source.participant)
    program = source.participant.program
    copy = TreatmentPlan.objects.create(
        participant=source.participant,
        episode=source.episode,
        assessment=source.assessment,
        lineage=source.lineage,
        number=source.number + 1,
        previous=source,
        reason=reason,
        status=TreatmentPlan.Status.DRAFT,
        level_of_care=source.episode.level_of_care if source.episode else source.level_of_care,
        strengths=source.strengths,
        preferences=source.preferences,
        barriers=source.barriers,
        technology_barriers=source.technology_barriers,
        discharge_criteria=source.discharge_criteria,
        anticipated_discharge_on=source.anticipated_discharge_on,
        review_due_on=(
            program_today(program) + timedelta(days=program.plan_review_days)
            if program
            else source.review_due_on
        ),
        created_by=acting_user,
    )
    problems = list(source.problems.prefetch_related("diagnoses", "goals__objectives"))
    new_problems = PlanProblem.objects.bulk_create(
        PlanProblem(
            plan=copy,
            lineage=p.lineage,
            position=p.position,
            in_own_words=p.in_own_words,
            clinical_statement=p.clinical_statement,
            assessment_findings=p.assessment_findings,
        )
        for p in problems
    )
    problem_diagnoses = PlanProblem.diagnoses.through
    problem_diagnoses.objects.bulk_create(
        problem_diagnoses(planproblem_id=new.pk, diagnosis_id=diagnosis.pk)
        for old, new in zip(problems, new_problems, strict=True)
        for diagnosis in old.diagnoses.all()
    )
    goal_pairs = [
        (goal, new)
        for old, new in zip(problems, new_problems, strict=True)
        for goal in old.goals.all()
    ]
    new_goals = Goal.objects.bulk_create(
        Goal(problem=new, lineage=g.lineage, position=g.position, text=g.text)
        for g, new in goal_pairs
    )
    objective_pairs = [
        (objective, new)
        for (old, _), new in zip(goal_pairs, new_goals, strict=True)
        for objective in old.objectives.all()
    ]
    new_objectives = Objective.objects.bulk_create(
        Objective(
            goal=new,
            lineage=o.lineage,
            position=o.position,
            text=o.text,
            target_date=o.target_date,
            measure=o.measure,
            measure_comparator=o.measure_comparator,
            measure_target=o.measure_target,
            status=o.status,
        )
        for o, new in objective_pairs
    )
    objective_copies = {
        old.pk: new.pk for (old, _), new in zip(objective_pairs, new_objectives, strict=True)
    }
    interventions = list(source.interventions.prefetch_related("objectives"))
    new_interventions = Intervention.objects.bulk_create(
        Intervention(
            plan=copy,
            lineage=i.lineage,
            position=i.position,
            modality=i.modality,
            description=i.description,
            frequency=i.frequency,
            duration_minutes=i.duration_minutes,
            length_weeks=i.length_weeks,
            responsible_discipline=i.responsible_discipline,
            responsible_person_id=i.responsible_person_id,
            booked_session_codes=i.booked_session_codes,
            booked_at=i.booked_at,
        )
        for i in interventions
    )
    intervention_objectives = Intervention.objectives.through
    intervention_objectives.objects.bulk_create(
        intervention_objectives(intervention_id=new.pk, objective_id=objective_copies[o.pk])
        for old, new in zip(interventions, new_interventions, strict=True)
        for o in old.objectives.all()
    )
    record(
        "careplans.plan_copied",
        acting_user=acting_user,
        participant=copy.participant,
        target=copy,
        details={
            "plan": str(copy.code),
            "replaces": str(source.code),
            "number": copy.number,
            "reason": reason,
        },
    )
    return copy
