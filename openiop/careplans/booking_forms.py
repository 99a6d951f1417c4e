"""The form that books an intervention's series (kept apart from the plan's own forms)."""

from django import forms

from openiop.scheduling.forms import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class InterventionBookingForm(forms.Form):
    first_day = forms.DateField(label="First session", widget=DateInput)
    starts_at = forms.TimeField(label="Start time", widget=TimeInput())
