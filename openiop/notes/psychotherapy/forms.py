from typing import Any

from django import forms

from openiop.notes.psychotherapy.actions import MAX_TEXT_LENGTH


class PsychotherapyNoteForm(forms.Form):
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        max_length=MAX_TEXT_LENGTH,
        strip=False,
        help_text="Seen by you alone. Do not put here what the record needs (times, "
        "modality, scores, diagnosis, plan, progress): that goes in the progress note.",
        error_messages={
            "required": "Write the note, or leave the page without saving.",
            "max_length": "The note is too long: at most %(limit_value)s characters "
            "(it has %(show_value)s). Split it into two notes.",
        },
    )
    session = forms.ChoiceField(label="Session", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, session_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if session_choices is None:
            del self.fields["session"]
        else:
            field = self.fields["session"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Not tied to a session"), *session_choices]

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("Write the note, or leave the page without saving.")
        return text
