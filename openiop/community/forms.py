from django import forms
from django.utils.translation import gettext_lazy as _

from openiop.community.actions import MAX_LENGTH, MODERATION
from openiop.community.models import Report


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write something first."),
            "max_length": _("Keep it under 10,000 characters."),
        },
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why?"), choices=Report.Reason.choices)


class ModerateForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in (*MODERATION, "lock", "unlock")])


class ToggleForm(forms.Form):
    # "1" to lock or remove, "0" to unlock or take back.
    on = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
