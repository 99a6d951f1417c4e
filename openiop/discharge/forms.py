from datetime import date, datetime
from typing import Any

from django import forms

from openiop.discharge.models import DischargeSummary
from openiop.intake.models import Level
from openiop.lib.phone import PhoneFormField
from openiop.lib.recurrence import RecurrenceError, get_zone, to_utc

# Each text of a summary holds up to this many characters (about eight printed pages): longer
# text is refused with a message and kept in the form, never cut.
TEXT_LIMIT = 20_000
TEXT_FIELDS = ("course", "medications", "safety_plan_notes", "referrals", "what_comes_next")
MAX_AFTERCARE = 8


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class DischargeForm(forms.ModelForm):
    edit_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = DischargeSummary
        fields = [
            "reason",
            "discharged_on",
            "course",
            "medications",
            "safety_plan_status",
            "safety_plan_notes",
            "step_down_level",
            "referrals",
            "what_comes_next",
        ]
        widgets = {"discharged_on": DateInput}
        labels = {"step_down_level": "Recommended level of care next"}
        help_texts = {
            "safety_plan_status": "Review the plan with the participant at discharge, with 988 "
            "and the crisis resources.",
        }

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        choices = {
            "reason": [("", "— Choose —"), *DischargeSummary.Reason.choices],
            "safety_plan_status": [("", "— Choose —"), *DischargeSummary.SafetyPlan.choices],
            "step_down_level": [("", "None: no further care recommended"), *Level.choices],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options
        next_steps = self.fields["what_comes_next"]
        next_steps.help_text = (
            "Plain language, for the participant: they read it on their home page."
        )
        # A draft saves without them; signing asks for them (actions.missing_for_signature).
        for name in ("reason", "safety_plan_status", "what_comes_next"):
            self.fields[name].needed_to_sign = True  # type: ignore[attr-defined]
        for name in TEXT_FIELDS:
            self.fields[name].widget.attrs.update({"rows": 4})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in TEXT_FIELDS:
            value = cleaned.get(name) or ""
            if len(value) > TEXT_LIMIT:
                self.add_error(
                    name,
                    f"This is {len(value):,} characters long; each part of a discharge summary "
                    f"holds up to {TEXT_LIMIT:,}. Shorten it: your text is kept here.",
                )
        return cleaned

    def clean_discharged_on(self) -> date:
        day: date = self.cleaned_data["discharged_on"]
        if day < self.instance.admitted_on:
            raise forms.ValidationError("The date of discharge cannot be before the admission.")
        if day > self.today:
            raise forms.ValidationError("The date of discharge cannot be in the future.")
        return day


class AftercareForm(forms.Form):
    with_whom = forms.CharField(label="With whom", max_length=200)
    day = forms.DateField(label="Date", widget=DateInput)
    time = forms.TimeField(label="Time", widget=TimeInput)
    where = forms.CharField(
        label="Where, or how to join",
        max_length=300,
        help_text="An address, or how to join by video or phone.",
    )
    phone = PhoneFormField(label="Phone", required=False)

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["time"].help_text = f"In the participant's time zone ({zone})."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("day"), cleaned.get("time")
        if day is not None and time is not None:
            try:
                cleaned["starts_at"] = to_utc(datetime.combine(day, time), self.zone)
            except RecurrenceError as error:
                self.add_error("time", str(error))
        return cleaned

    def appointment(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "with_whom": data["with_whom"],
            "starts_at": data["starts_at"],
            "where": data["where"],
            "phone": data.get("phone") or "",
        }


class BaseAftercareFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this appointment"


# One empty row at a time: saving the draft adds the next one.
AftercareFormSet = forms.formset_factory(
    AftercareForm,
    formset=BaseAftercareFormSet,
    extra=1,
    max_num=MAX_AFTERCARE,
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)


def aftercare_initial(summary: DischargeSummary, zone: str) -> list[dict[str, Any]]:
    rows = []
    for appointment in summary.aftercare.all():
        local = appointment.starts_at.astimezone(get_zone(zone))
        rows.append(
            {
                "with_whom": appointment.with_whom,
                "day": local.date(),
                "time": local.time().replace(second=0, microsecond=0),
                "where": appointment.where,
                "phone": appointment.phone,
            }
        )
    return rows
