"""Forms of the care team's pages. Times are typed on the viewer's wall clock."""

from datetime import datetime
from typing import Any

from django import forms

from openiop.accounts.models import User
from openiop.lib.timefmt import as_zone
from openiop.participants.models import Participant

# Long enough for any real post; the XSS corpus's 50 KB text fits and is shown escaped.
MAX_TEXT = 60_000


class PostForm(forms.Form):
    text = forms.CharField(
        label="Message to the team",
        max_length=MAX_TEXT,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by the care team and the program's directors, never by the participant.",
    )


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class TaskForm(forms.Form):
    title = forms.CharField(
        label="Task",
        max_length=120,
        help_text='Briefly, e.g. "call after missed session" or "med review".',
    )
    owner = OwnerChoice(
        label="Owner",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "Choose someone on the care team or in the program."},
    )
    due_at = forms.CharField(
        label="Due",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, participant: Participant, owners: Any, zone: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.zone = zone
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]
        self.fields["due_at"].help_text = f"Your time zone: {zone}."

    def clean_due_at(self) -> datetime:
        text = self.cleaned_data["due_at"]
        try:
            wall = datetime.fromisoformat(str(text).replace(" ", "T"))
        except ValueError as exc:
            raise forms.ValidationError("Enter a date and time, like 2026-03-16 17:00.") from exc
        if wall.tzinfo is not None:
            raise forms.ValidationError("Enter the time without a time zone.")
        return wall.replace(second=0, microsecond=0, tzinfo=as_zone(self.zone))


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("done", "Done"), ("open", "Open")])
    back = forms.ChoiceField(choices=[("team", "team"), ("mine", "mine")], required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(
        label="Decision",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What the team decided; it is added to the participant's team page.",
    )
