from typing import Any

from django import forms

from openiop.assessments.models import InstrumentDefinition
from openiop.outcomes.models import Weekday
from openiop.outcomes.schedule_actions import Plan, schedule_has_occasion
from openiop.programs.models import Program, Track


def instrument_choices() -> list[tuple[str, str]]:
    """Every instrument loaded now; site-loaded ones say so (e.g. a site's BAM)."""
    rows = InstrumentDefinition.objects.filter(is_active=True).order_by("title", "key")
    return [
        (row.key, f"{row.title} ({row.key}){'' if row.shipped else ' — site-loaded'}")
        for row in rows
    ]


class ScheduleForm(forms.Form):
    instrument_key = forms.ChoiceField(
        label="Instrument",
        help_text="Shipped instruments, and any your site has loaded.",
        error_messages={
            "invalid_choice": (
                "No instrument with the key “%(value)s” is loaded. Load it first "
                "(manage.py load_instrument; see docs/outcomes.md)."
            )
        },
    )
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(),
        required=False,
        empty_label="Whole program",
        label="Who",
        help_text="A track's schedule covers participants seated in one of its groups.",
    )
    at_admission = forms.BooleanField(label="At admission", required=False)
    weekly_on = forms.TypedChoiceField(
        label="Weekly",
        choices=[("", "Not weekly"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="On the program's day, in its timezone.",
    )
    at_discharge = forms.BooleanField(label="At discharge", required=False)
    follow_up_30 = forms.BooleanField(label="30 days after discharge", required=False)
    follow_up_90 = forms.BooleanField(label="90 days after discharge", required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instrument_field = self.fields["instrument_key"]
        assert isinstance(instrument_field, forms.ChoiceField)
        instrument_field.choices = instrument_choices()
        track_field = self.fields["track"]
        assert isinstance(track_field, forms.ModelChoiceField)
        track_field.queryset = Track.objects.filter(program=program, is_active=True).order_by(
            "name"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not schedule_has_occasion(self.plan(data)):
            raise forms.ValidationError("Choose at least one occasion.")
        return data

    @staticmethod
    def plan(data: dict[str, Any]) -> Plan:
        return Plan(
            instrument_key=data.get("instrument_key", ""),
            at_admission=bool(data.get("at_admission")),
            weekly_on=data.get("weekly_on"),
            at_discharge=bool(data.get("at_discharge")),
            follow_up_30=bool(data.get("follow_up_30")),
            follow_up_90=bool(data.get("follow_up_90")),
            track=data.get("track"),
        )
