from django import forms

from openiop.safety.models import SafetyAlert


class AcknowledgeForm(forms.Form):
    action = forms.ChoiceField(
        choices=SafetyAlert.Action.choices,
        widget=forms.RadioSelect,
        label="What was done",
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        label="Documentation",
        help_text="What you did and what you found (kept with the alert).",
    )


class ConcernForm(forms.Form):
    concern = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        label="Your concern",
        help_text="What you saw or heard that worries you about this participant's safety.",
    )
