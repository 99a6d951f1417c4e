"""Forms of the clinical summary: one to add, one to change and one to remove each kind.

A change or removal form carries the `version` it was opened at, so a save that comes after
someone else's is refused (StaleSummaryEdit) instead of overwriting it.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from openiop.careplans.icd10 import TITLES, normalize_code
from openiop.careplans.models import (
    ICD10_CM,
    Allergy,
    Diagnosis,
    Medication,
    ProblemListEntry,
)

STALE_MESSAGE = (
    "Someone else saved a change to this item while you were editing. What you typed is kept "
    "below and the saved version is shown beside it: check it, then save again to replace it."
)
TOO_LONG = "Keep this to %(limit_value)d characters or fewer (it has %(show_value)d)."
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SummaryForm(forms.ModelForm):
    """Length limits say what they are; dates use the browser's date picker."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = TOO_LONG
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.error_messages["invalid"] = "Enter a real date, such as 2026-03-09."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        for name in ("onset_on", "started_on"):
            value = cleaned.get(name)
            if value and value > today:
                self.add_error(name, "This date is in the future.")
        return cleaned


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DiagnosisForm(SummaryForm):
    class Meta:
        model = Diagnosis
        fields = ["icd10_code", "description", "rank", "onset_on", "status"]
        labels = {"description": "Diagnosis", "rank": "Primary or secondary"}
        help_texts = {
            "icd10_code": "For example F33.1.",
            "description": "Leave empty to use the code's ICD-10-CM title.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False
        self.fields["icd10_code"].validators = []
        if not self.instance.pk:
            status = self.fields["status"]
            assert isinstance(status, forms.TypedChoiceField)
            status.choices = [
                (value, label)
                for value, label in Diagnosis.Status.choices
                if value in (Diagnosis.Status.ACTIVE, Diagnosis.Status.IN_REMISSION)
            ]

    def clean_icd10_code(self) -> str:
        code = normalize_code(self.cleaned_data["icd10_code"])
        try:
            ICD10_CM(code)
        except ValidationError as exc:
            raise ValidationError(
                "This is not an ICD-10-CM code: use a letter, two characters, a dot and up to "
                "four more, such as F33.1 or F43.10."
            ) from exc
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code = cleaned.get("icd10_code")
        if code and not cleaned.get("description", "").strip() and code not in TITLES:
            self.add_error(
                "description",
                f"{code} is not in OpenIOP's list of titles: type the diagnosis as it is "
                f"written in ICD-10-CM.",
            )
        return cleaned


class DiagnosisEditForm(VersionMixin, DiagnosisForm):
    class Meta(DiagnosisForm.Meta):
        pass


class DiagnosisRemoveForm(VersionMixin):
    status = forms.ChoiceField(
        label="Why it comes off the current list",
        choices=[
            (Diagnosis.Status.RESOLVED, "Resolved"),
            (Diagnosis.Status.RULED_OUT, "Ruled out"),
        ],
        widget=forms.RadioSelect,
    )


class ProblemForm(SummaryForm):
    class Meta:
        model = ProblemListEntry
        fields = ["description", "onset_on"]
        labels = {"description": "Problem"}


class ProblemEditForm(VersionMixin, SummaryForm):
    class Meta:
        model = ProblemListEntry
        fields = ["description", "onset_on", "status"]
        labels = {"description": "Problem"}


class ProblemRemoveForm(VersionMixin):
    pass


class MedicationForm(SummaryForm):
    class Meta:
        model = Medication
        fields = ["name", "dose", "prescriber", "started_on", "stopped_on"]
        labels = {"started_on": "Started", "stopped_on": "Stopped"}
        help_texts = {
            "prescriber": "Who prescribed it (OpenIOP records medications; it does not "
            "prescribe them).",
            "stopped_on": "Leave empty while the participant still takes it.",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        started, stopped = cleaned.get("started_on"), cleaned.get("stopped_on")
        if started and stopped and stopped < started:
            self.add_error("stopped_on", "The stop date is before the start date.")
        elif stopped and stopped > timezone.localdate():
            self.add_error(
                "stopped_on", "The stop date is in the future: record the stop when it happens."
            )
        return cleaned


class MedicationEditForm(VersionMixin, MedicationForm):
    class Meta(MedicationForm.Meta):
        pass


class MedicationRemoveForm(VersionMixin):
    stopped_on = forms.DateField(
        label="Stopped on",
        widget=DATE_WIDGET,
        error_messages={"invalid": "Enter a real date, such as 2026-03-09."},
    )

    def __init__(self, *args: Any, started_on: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started_on = started_on
        self.fields["stopped_on"].initial = timezone.localdate()

    def clean_stopped_on(self) -> Any:
        stopped = self.cleaned_data["stopped_on"]
        if self.started_on and stopped < self.started_on:
            raise ValidationError("The stop date is before the start date.")
        if stopped > timezone.localdate():
            raise ValidationError(
                "The stop date is in the future: record the stop when it happens."
            )
        return stopped


class AllergyForm(SummaryForm):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity"]
        labels = {"substance": "Allergy or intolerance to"}


class AllergyEditForm(VersionMixin, SummaryForm):
    class Meta:
        model = Allergy
        fields = ["substance", "reaction", "severity", "is_active"]
        labels = {"substance": "Allergy or intolerance to", "is_active": "Still current"}


class AllergyRemoveForm(VersionMixin):
    pass
