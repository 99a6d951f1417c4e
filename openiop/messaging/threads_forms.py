from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from openiop.documents.forms import ACCEPT
from openiop.documents.inspect import megabytes
from openiop.messaging.threads_actions import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Message"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message.")},
        # The text is kept exactly as typed (leading spaces in a list, line breaks).
        strip=False,
    )
    attachment = forms.FileField(
        label=_("Attach a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _(
            "A PDF, a PNG or JPEG image, or a plain-text file, up to %(size)s."
        ) % {"size": megabytes(settings.DOCUMENTS_MAX_FILE_SIZE)}

    def clean_text(self) -> str:
        text: str = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(_("Write a message."))
        return text


class NewThreadForm(ReplyForm):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=MAX_SUBJECT_LENGTH,
        error_messages={"required": _("Give your message a subject.")},
    )
    field_order = ["subject", "text", "attachment"]


DAY_CHOICES = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
]


class SettingsForm(forms.Form):
    days = forms.MultipleChoiceField(
        label="Office days",
        choices=DAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    opens_at = forms.TimeField(label="Opens at", widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label="Closes at", widget=forms.TimeInput(attrs={"type": "time"}))
    retention_days = forms.IntegerField(
        label="Keep messages for (days)",
        required=False,
        min_value=30,
        help_text="Older messages are deleted each night. Leave empty to keep them.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and opens >= closes:
            self.add_error("closes_at", "Closing time must be after opening time.")
        return cleaned
