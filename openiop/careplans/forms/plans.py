"""Forms of the treatment plan's draft: the plan's own fields and each kind of item.

Each carries the `edit_version` the editor started from (actions/plans.py checks it). Text
fields have no `maxlength` attribute, so a browser never cuts pasted text silently: the server
refuses an over-long field with a message and the form keeps what was typed.
"""

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q

from openiop.accounts.models import User
from openiop.careplans import actions
from openiop.careplans.measures import measure_choices
from openiop.careplans.models import (
    Diagnosis,
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    TreatmentPlan,
)


def within_text_limit(value: str) -> None:
    if len(value) > actions.MAX_TEXT:
        raise forms.ValidationError(
            f"Keep this to {actions.MAX_TEXT:,} characters or fewer (it has {len(value):,}). "
            "Your text is kept below: shorten it, or put the detail in a note.",
            code="max_length",
        )


def text_field(label: str, *, required: bool = False, rows: int = 3, help_text: str = "") -> Any:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[within_text_limit],
    )


def short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else f"{text[: length - 1]}…"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class PlanEditForm(forms.Form):
    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, plan: TreatmentPlan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)

    def item_fields(self) -> dict[str, Any]:
        """The cleaned values the action saves (without the version and the links)."""
        skip = {"edit_version", *self.link_fields}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    link_fields: tuple[str, ...] = ()

    def take_current_version(self, version: int) -> None:
        """After a conflict: keep the typed text, and let the next save go through."""
        data = self.data.copy()  # type: ignore[attr-defined]
        data[self.add_prefix("edit_version")] = str(version)
        self.data = data


class PlanForm(PlanEditForm):
    strengths = text_field("Strengths", rows=4, help_text="Strengths, abilities and supports.")
    preferences = text_field(
        "Preferences", help_text="How and when the participant prefers to take part."
    )
    barriers = text_field("Barriers", help_text="What could get in the way of treatment.")
    technology_barriers = text_field(
        "Technology barriers",
        rows=5,
        help_text="Device, connection, a private place and comfort with video sessions.",
    )
    discharge_criteria = text_field(
        "Discharge criteria", rows=4, help_text="What will show the participant is ready."
    )
    anticipated_discharge_on = forms.DateField(
        label="Anticipated discharge date", required=False, widget=DateInput()
    )

    def clean_anticipated_discharge_on(self) -> date | None:
        value: date | None = self.cleaned_data["anticipated_discharge_on"]
        episode = self.plan.episode
        if value is not None and episode is not None:
            admitted = episode.admitted_at.date()
            if value <= admitted:
                raise forms.ValidationError("Choose a date after the admission date.")
        return value


class ProblemForm(PlanEditForm):
    in_own_words = text_field(
        "In the participant's own words",
        required=True,
        help_text="What the participant says the problem is, in their words.",
    )
    clinical_statement = text_field("Clinical statement", required=True)
    diagnoses = forms.ModelMultipleChoiceField(
        queryset=Diagnosis.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Diagnoses this problem rests on",
    )
    assessment_findings = text_field(
        "Assessment findings", rows=4, help_text="Scores and ratings this problem rests on."
    )
    link_fields = ("diagnoses",)

    def __init__(self, *args: Any, problem: PlanProblem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = Q(status__in=(Diagnosis.Status.ACTIVE, Diagnosis.Status.IN_REMISSION))
        if problem is not None:
            current |= Q(plan_problems=problem)
        self.fields["diagnoses"].queryset = (  # type: ignore[attr-defined]
            Diagnosis.objects.filter(current, participant=self.plan.participant_id)
            .distinct()
            .order_by("rank", "icd10_code", "id")
        )
        self.fields["diagnoses"].help_text = (
            ""
            if self.fields["diagnoses"].queryset.exists()  # type: ignore[attr-defined]
            else "The chart has no diagnoses yet: add them to the clinical summary first."
        )


class GoalForm(PlanEditForm):
    problem = forms.ModelChoiceField(queryset=PlanProblem.objects.none(), empty_label=None)
    text = text_field("Goal", required=True, help_text="Broad, person-centred and long-term.")
    link_fields = ("problem",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["problem"]
        field.queryset = self.plan.problems.all()  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: short(p.clinical_statement)  # type: ignore[attr-defined]


class ObjectiveForm(PlanEditForm):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), empty_label=None)
    text = text_field(
        "Objective",
        required=True,
        help_text="Specific and measurable: what the participant will do, and how often.",
    )
    target_date = forms.DateField(
        label="Target date",
        widget=DateInput(),
        error_messages={"required": actions.NEEDS_TARGET_DATE},
    )
    measure = forms.ChoiceField(label="Measure target: questionnaire", required=False)
    measure_comparator = forms.ChoiceField(
        label="Score to reach",
        required=False,
        choices=[("", "—"), ("lte", "≤ at most"), ("gte", "≥ at least")],
    )
    measure_target = forms.IntegerField(label="Target score", required=False, min_value=0)
    status = forms.ChoiceField(choices=Objective.Status.choices)
    link_fields = ("goal",)

    def __init__(self, *args: Any, objective: Objective | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objective = objective
        goal = self.fields["goal"]
        goal.queryset = Goal.objects.filter(problem__plan=self.plan)  # type: ignore[attr-defined]
        goal.label_from_instance = lambda g: short(g.text)  # type: ignore[attr-defined]
        self.fields["measure"].choices = [  # type: ignore[attr-defined]
            ("", "None"),
            *measure_choices(),
        ]
        self.fields["measure"].help_text = 'Optional, e.g. "PHQ-9 at most 9 by the target date".'

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "target_date" not in data:
            return data
        errors = actions.objective_errors(
            self.plan,
            target_date=data["target_date"],
            measure=data.get("measure") or "",
            comparator=data.get("measure_comparator") or "",
            target=data.get("measure_target"),
            saved_target_date=self.objective.target_date if self.objective else None,
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return data


class InterventionForm(PlanEditForm):
    modality = forms.ChoiceField(choices=Intervention.Modality.choices)
    description = text_field("Description", help_text="What is done, e.g. the skills taught.")
    frequency = forms.ChoiceField(choices=Intervention.Frequency.choices)
    duration_minutes = forms.IntegerField(
        label="Duration of each session (minutes)", min_value=5, max_value=480
    )
    length_weeks = forms.IntegerField(
        label="For how many weeks",
        required=False,
        min_value=1,
        max_value=52,
        help_text="Empty: until the plan's next review.",
    )
    responsible_discipline = forms.ChoiceField(
        label="Responsible discipline",
        required=False,
        choices=[("", "—"), *User.Discipline.choices],
    )
    responsible_person = forms.ModelChoiceField(
        label="Responsible person",
        queryset=User.objects.none(),
        required=False,
        empty_label="—",
    )
    objectives = forms.ModelMultipleChoiceField(
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Objectives it serves",
    )
    link_fields = ("objectives",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["responsible_person"]
        person.queryset = actions.responsible_people(self.plan.participant)  # type: ignore[attr-defined]
        person.label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.display_name}, {u.get_discipline_display()}" if u.discipline else u.display_name
        )
        objectives = self.fields["objectives"]
        objectives.queryset = Objective.objects.filter(  # type: ignore[attr-defined]
            goal__problem__plan=self.plan
        ).order_by("goal__problem__position", "goal__position", "position", "id")
        objectives.label_from_instance = lambda o: short(o.text)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("responsible_discipline") and not data.get("responsible_person"):
            self.add_error(
                "responsible_discipline",
                "Name the responsible discipline, the responsible person, or both.",
            )
        return data


def initial_for(instance: Any, form_class: type[PlanEditForm]) -> dict[str, Any]:
    """The form's starting values from a saved plan or item."""
    initial: dict[str, Any] = {}
    for name in form_class.base_fields:
        if name == "edit_version" or not hasattr(instance, name):
            continue
        value = getattr(instance, name)
        if hasattr(value, "all"):
            value = list(value.all())
        initial[name] = value
    return initial
