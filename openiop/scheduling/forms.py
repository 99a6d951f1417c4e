from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import User
from openiop.scheduling.models import Booking, Enrollment, Session


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class ParticipantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.staff_name} (born {obj.date_of_birth:%Y-%m-%d})"


class _EndsAfterStartForm(forms.Form):
    """A form with `starts_at` and `ends_at` times on one day: the end must come after the start."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", "The end time must be after the start time.")
        return data


class AdmitForm(forms.Form):
    participant = ParticipantChoiceField(queryset=None)  # type: ignore[arg-type]
    starts_on = forms.DateField(label="Start date", widget=DateInput)
    expected_end_on = forms.DateField(
        label="Expected end",
        required=False,
        widget=DateInput,
        help_text="Leave empty for the program's typical length.",
    )
    priority = forms.TypedChoiceField(
        choices=Enrollment.Priority.choices,
        coerce=int,
        initial=Enrollment.Priority.ROUTINE,
        help_text="Used only if the group is full: step-down participants are placed first.",
    )
    taper_weeks = forms.IntegerField(
        label="Step-down taper (weeks)", min_value=0, max_value=8, initial=0, required=False
    )
    taper_sessions_per_week = forms.IntegerField(
        label="Sessions per week during the taper", min_value=1, max_value=7, required=False
    )

    licensure_override = forms.CharField(
        label="Licensure override: reason (program directors)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only when no facilitator of this group is licensed where the participant "
        "lives and no group that fits can take them. The reason is kept and audited.",
    )

    def __init__(
        self, *args: Any, participants: Any, can_override: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants  # type: ignore[attr-defined]
        if not can_override:
            del self.fields["licensure_override"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("expected_end_on")
        if start and end and end <= start:
            self.add_error("expected_end_on", "The expected end must be after the start date.")
        if data.get("taper_weeks") and not data.get("taper_sessions_per_week"):
            self.add_error("taper_sessions_per_week", "Say how many sessions a week to keep.")
        return data


class AppointmentForm(_EndsAfterStartForm):
    clinician = forms.ModelChoiceField(queryset=User.objects.none())
    kind = forms.ChoiceField(
        choices=[c for c in Session.Kind.choices if c[0] != Session.Kind.GROUP]
    )
    day = forms.DateField(widget=DateInput)
    starts_at = forms.TimeField(label="Start time", widget=TimeInput)
    ends_at = forms.TimeField(label="End time", widget=TimeInput)
    fold = forms.TypedChoiceField(
        label="If this time happens twice (the night the clocks go back)",
        choices=[("", "Refuse the booking"), ("0", "The first"), ("1", "The second")],
        coerce=int,
        empty_value=None,
        required=False,
    )
    weeks = forms.IntegerField(
        label="Repeat weekly for (weeks)", min_value=1, max_value=16, initial=1
    )

    def __init__(self, *args: Any, clinicians: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    booking = forms.UUIDField(widget=forms.HiddenInput)
    attendance = forms.ChoiceField(choices=Booking.Attendance.choices)
    minutes = forms.IntegerField(
        label="Minutes attended",
        min_value=0,
        required=False,
        help_text="Empty for present means the whole session.",
    )


class CancelSessionForm(forms.Form):
    # "Participant discharged" is set by signing a discharge summary, never chosen by hand.
    reason = forms.ChoiceField(
        choices=[
            choice
            for choice in Session.CancelReason.choices
            if choice[0] != Session.CancelReason.DISCHARGED
        ]
    )


class HolidayForm(forms.Form):
    day = forms.DateField(label="Date", widget=DateInput)
    name = forms.CharField(max_length=100)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_day(self) -> date:
        day: date = self.cleaned_data["day"]
        if day < self.today:
            raise forms.ValidationError("A holiday cannot be in the past.")
        return day


class ClosureForm(forms.Form):
    first_day = forms.DateField(label="First day closed", widget=DateInput)
    last_day = forms.DateField(
        label="Last day closed",
        widget=DateInput,
        required=False,
        help_text="Empty for a single day.",
    )
    name = forms.CharField(max_length=100, help_text="For example: Thanksgiving, staff training.")
    # The dates whose sessions the director was shown ("first:last"); other dates are shown
    # again before anything is cancelled.
    confirm = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first = data.get("first_day")
        if first is None:
            return data
        if first < self.today:
            self.add_error("first_day", "A closure cannot start in the past.")
        last = data.get("last_day") or first
        if last < first:
            self.add_error(
                "last_day", "The last day must be on or after the first day (end before start)."
            )
        data["last_day"] = last
        return data

    def confirmed(self) -> bool:
        data = self.cleaned_data
        return data["confirm"] == f"{data['first_day'].isoformat()}:{data['last_day'].isoformat()}"


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(min_value=1, max_value=100)


class ReminderPreferenceForm(forms.Form):
    sms = forms.BooleanField(label=_("Text message reminders"), required=False)
    email = forms.BooleanField(label=_("Email reminders"), required=False)


class ExtraSessionForm(_EndsAfterStartForm):
    day = forms.DateField(label="Date", widget=DateInput)
    starts_at = forms.TimeField(label="Start time", widget=TimeInput)
    ends_at = forms.TimeField(label="End time", widget=TimeInput)
    fold = forms.TypedChoiceField(
        label="If this time happens twice (the night the clocks go back)",
        choices=[("", "Refuse"), ("0", "The first"), ("1", "The second")],
        coerce=int,
        empty_value=None,
        required=False,
    )
