from typing import Any

from django import forms
from django.conf import settings

from openiop.documents.inspect import megabytes
from openiop.documents.models import Document
from openiop.lib.text import invisible_characters

ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,application/pdf,image/png,image/jpeg,text/plain"
CHOOSE_AGAIN = (
    "Choose the file again: browsers do not keep a chosen file when a form comes back with "
    "a problem."
)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of document", choices=Document.Kind.choices)
    title = forms.CharField(
        label="Title",
        max_length=120,
        required=False,
        help_text="A few words, such as “Discharge summary from the hospital”. Leave it empty "
        "to show the file's name.",
    )
    file = forms.FileField(
        label="File",
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": "Choose a file to upload."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"A PDF, a PNG or JPEG image, or a plain-text file, up to "
            f"{megabytes(settings.DOCUMENTS_MAX_FILE_SIZE)}."
        )

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        found = invisible_characters(title)
        if found:
            raise forms.ValidationError(
                f"Remove the invisible characters ({', '.join(found)}): they can disguise text."
            )
        return title

    def ask_for_the_file_again(self) -> None:
        """After any error the browser has dropped the chosen file: say so by the field."""
        help_text = f"{CHOOSE_AGAIN} {self.fields['file'].help_text}"
        self.fields["file"].help_text = help_text
        self["file"].help_text = help_text


class RemoveForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why remove it", choices=Document.RemovalReason.choices, initial=""
    )
