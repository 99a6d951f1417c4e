"""The dashboard's filters: a period (dates in the program's zone) and, optionally, one
track, group or primary clinician of the program, chosen by code."""

from datetime import date, timedelta
from typing import Any

from django import forms

from openiop.outcomes.dashboard import Choices, Filters, default_period

# Three years: longer periods are a report, not a page.
MAX_DAYS = 3 * 366


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    track = forms.ChoiceField(label="Track", required=False)
    group = forms.ChoiceField(label="Group", required=False)
    clinician = forms.ChoiceField(label="Primary clinician", required=False)

    def __init__(self, data: Any, *, options: Choices, today: date) -> None:
        super().__init__(data)
        self.options = options
        self.default = default_period(today)
        choices = {
            "track": [("", "All tracks")] + [(str(t.code), t.name) for t in options.tracks],
            "group": [("", "All groups")]
            + [(str(g.code), f"{g.name} ({g.track.name})") for g in options.groups],
            "clinician": [("", "All clinicians")]
            + [(str(c.code), c.display_name) for c in options.clinicians],
        }
        for name, offered in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = offered

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start = cleaned.get("start") or self.default[0]
        end = cleaned.get("end") or self.default[1]
        if not cleaned.get("start") and cleaned.get("end"):
            start = end - (self.default[1] - self.default[0])
        if end < start:
            raise forms.ValidationError("The period must end on or after the day it starts.")
        if end - start > timedelta(days=MAX_DAYS):
            raise forms.ValidationError("Choose a period of three years or less.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def filters(self) -> Filters:
        """The chosen filters when the form is valid, else the default period alone."""
        if not self.is_valid():
            return Filters(*self.default)
        data = self.cleaned_data
        by_code: dict[str, dict[str, Any]] = {
            "track": {str(t.code): t for t in self.options.tracks},
            "group": {str(g.code): g for g in self.options.groups},
            "clinician": {str(c.code): c for c in self.options.clinicians},
        }
        return Filters(
            data["start"],
            data["end"],
            track=by_code["track"].get(data.get("track") or ""),
            group=by_code["group"].get(data.get("group") or ""),
            clinician=by_code["clinician"].get(data.get("clinician") or ""),
        )


def audit_details(filters: Filters) -> dict[str, Any]:
    """The period and filters as the audit trail may hold them: dates and codes."""
    details: dict[str, Any] = {"from": filters.start.isoformat(), "to": filters.end.isoformat()}
    if filters.track is not None:
        details["track"] = str(filters.track.code)
    if filters.group is not None:
        details["group"] = str(filters.group.code)
    if filters.clinician is not None:
        details["clinician"] = str(filters.clinician.code)
    return details
