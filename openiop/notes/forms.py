"""Forms of progress notes. Times are entered on the viewer's wall clock: views validate and
render these forms inside `timezone.override(viewer zone)`."""

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from openiop.careplans.models import Objective
from openiop.lib.timefmt import format_date
from openiop.notes.actions import DRAFT_FIELDS, NOTE_TEXT_LIMIT
from openiop.notes.models import FORM_SECTIONS, Note

# Every section of the three forms once, in an order that keeps each form's own order
# (SOAP: S O A P; DAP: D A P; BIRP: B I R P), so one page serves all three.
SECTION_ORDER = [
    "data",
    "subjective",
    "objective",
    "behavior",
    "intervention",
    "response",
    "assessment",
    "plan",
]
SECTION_HELP = {
    "subjective": "The participant's report, in their own words.",
    "objective": "What you observed: presentation, mental status, scores.",
    "data": "What the participant reported and what you observed.",
    "behavior": "Presentation, observed and reported.",
    "intervention": "What you did, naming the modality.",
    "response": "How the participant responded to the intervention.",
    "assessment": "Your clinical interpretation, progress toward goals, risk.",
    "plan": "Next steps, homework, referrals, the next session.",
}


def section_forms(key: str) -> list[str]:
    """The forms that have section `key`, e.g. ["soap", "dap"] for "plan"."""
    return [form for form, sections in FORM_SECTIONS.items() if key in dict(sections)]


def section_label(key: str) -> str:
    for sections in FORM_SECTIONS.values():
        if key in dict(sections):
            return dict(sections)[key]
    return key


class LongTextField(forms.CharField):
    """Free text up to NOTE_TEXT_LIMIT characters. No `maxlength` attribute: a browser would
    cut a longer paste silently, so the text is refused with a message instead and stays on
    the page to shorten."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        super().__init__(**kwargs)
        self.validators.append(
            MaxLengthValidator(
                NOTE_TEXT_LIMIT,
                message=(
                    f"This is %(show_value)s characters long; the limit is "
                    f"{NOTE_TEXT_LIMIT:,}. Shorten it (your text is still here)."
                ),
            )
        )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class ObjectiveChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = obj.text if len(obj.text) <= 160 else obj.text[:157] + "…"
        return f"{text} (target {format_date(obj.target_date)})"


class _TimesMixin:
    def check_times(self, data: dict[str, Any]) -> None:
        start, end = data.get("started_at"), data.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", "The end must be after the start.")  # type: ignore[attr-defined]


class NoteForm(_TimesMixin, forms.Form):
    """A progress note's draft. Every field may be empty while it is a draft; what signing
    needs is checked by `actions.missing_for_signature`."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    form = forms.ChoiceField(label="Note format", choices=Note.Form.choices)
    started_at = forms.DateTimeField(label="Started", required=False, widget=DateTimeLocalInput)
    ended_at = forms.DateTimeField(label="Ended", required=False, widget=DateTimeLocalInput)
    telehealth_mode = forms.ChoiceField(label="Mode", choices=Note.TelehealthMode.choices)
    participant_location = forms.CharField(
        label="Participant's location",
        max_length=200,
        required=False,
        help_text="Where the participant said they were during the session.",
    )
    risk_status = forms.ChoiceField(
        label="Risk status",
        choices=[("", "Not recorded yet"), *Note.Risk.choices],
        required=False,
    )
    risk_comment = LongTextField(
        label="Risk comment",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    medications_reviewed = LongTextField(
        label="Medications reviewed",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Started from the chart's current medications.",
    )
    objectives = ObjectiveChoiceField(
        label="Objectives addressed",
        queryset=Objective.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, note: Note, objectives: Any, **kwargs: Any) -> None:
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_for(note))
        super().__init__(*args, **kwargs)
        self.note = note
        for key in SECTION_ORDER:
            self.fields[f"section_{key}"] = LongTextField(
                label=section_label(key), help_text=SECTION_HELP.get(key, "")
            )
        self.fields["objectives"].queryset = objectives  # type: ignore[attr-defined]
        if note.kind != Note.Kind.PSYCHIATRY:
            del self.fields["medications_reviewed"]

    @staticmethod
    def initial_for(note: Note) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(note, name) for name in DRAFT_FIELDS if name != "sections"
        }
        initial["edit_version"] = note.edit_version
        for key, text in (note.sections or {}).items():
            initial[f"section_{key}"] = text
        if note.pk is not None:
            initial["objectives"] = list(note.objectives.values_list("pk", flat=True))
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_times(data)
        return data

    def section_fields(self) -> list[dict[str, Any]]:
        """The section fields for the template, each with the forms it belongs to and
        whether it holds text that the chosen form has no place for."""
        chosen = self["form"].value() or self.note.form
        rows = []
        for key in SECTION_ORDER:
            field = self[f"section_{key}"]
            forms_with = section_forms(key)
            rows.append(
                {
                    "field": field,
                    "key": key,
                    "forms": " ".join(forms_with),
                    "in_form": chosen in forms_with,
                    "stray": chosen not in forms_with and bool((field.value() or "").strip()),
                }
            )
        return rows

    def values(self) -> dict[str, Any]:
        """The cleaned fields as `actions.save_draft` takes them."""
        data = self.cleaned_data
        values = {name: data[name] for name in DRAFT_FIELDS if name in data and name != "sections"}
        if "medications_reviewed" not in self.fields:
            values.pop("medications_reviewed", None)
        values["sections"] = {
            key: data[f"section_{key}"]
            for key in SECTION_ORDER
            if (data.get(f"section_{key}") or "").strip()
        }
        return values


class StartNoteForm(_TimesMixin, forms.Form):
    """A note without a scheduled session: its kind and times."""

    kind = forms.ChoiceField(
        label="Kind of contact",
        choices=[
            (Note.Kind.INDIVIDUAL, Note.Kind.INDIVIDUAL.label),
            (Note.Kind.FAMILY, Note.Kind.FAMILY.label),
            (Note.Kind.PSYCHIATRY, Note.Kind.PSYCHIATRY.label),
        ],
    )
    started_at = forms.DateTimeField(label="Started", widget=DateTimeLocalInput)
    ended_at = forms.DateTimeField(label="Ended", widget=DateTimeLocalInput)

    def __init__(self, *args: Any, now: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.check_times(data)
        start = data.get("started_at")
        if start and start > self.now:
            self.add_error(
                "started_at", "A note is written after the contact: the start is in the future."
            )
        return data


class AddendumForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the addendum",
        max_length=200,
        help_text="For example: late entry, correction, information received later.",
    )
    text = LongTextField(label="Addendum", required=True)
