from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet

from openiop.accounts.models import User
from openiop.intake.models import (
    DEFAULT_STAGE_TARGETS,
    F_CODE,
    LOCUS_RATINGS,
    ComprehensiveAssessment,
    Level,
    Referral,
)
from openiop.programs.models import Track

# Free-text parts of the comprehensive assessment, shown as three-row text areas.
NARRATIVE_FIELDS = (
    "presenting_problem",
    "psychiatric_history",
    "medical_history",
    "substance_use",
    "risk",
    "trauma",
    "strengths",
    "goals",
    "living_situation",
    "supports",
    "work_school",
)


def _require_referral_when_declined(form: forms.Form, cleaned: dict[str, Any]) -> None:
    if cleaned.get("outcome") == "decline" and not cleaned.get("referred_to", "").strip():
        form.add_error("referred_to", "Say where the person was referred instead.")


def _track_label(track: Track) -> str:
    return f"{track.program.name}: {track.name}"


class ReferralForm(forms.ModelForm):
    consent_to_contact = forms.BooleanField(
        required=True,
        label="The person agreed to be contacted about the program",
        error_messages={"required": "A referral needs the person's consent to be contacted."},
    )

    class Meta:
        model = Referral
        fields = ["source", "referrer", "reason", "track", "consent_to_contact"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, tracks: QuerySet[Track] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["track"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (tracks if tracks is not None else Track.objects.none()).select_related(
            "program"
        )
        field.label_from_instance = _track_label  # type: ignore[method-assign,assignment]
        field.empty_label = "Not known yet"


class ScreeningForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            ("proceed", "Proceed to the comprehensive assessment"),
            ("decline", "Not appropriate for this program: refer elsewhere"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Screening note"
    )
    referred_to = forms.CharField(
        max_length=300, required=False, label="Referred to (when not proceeding)"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _require_referral_when_declined(self, cleaned)
        return cleaned


class AssessmentForm(forms.ModelForm):
    diagnoses_text = forms.CharField(
        required=False,
        label="Working diagnoses (ICD-10-CM F-codes)",
        help_text="Codes only, separated by commas, e.g. F33.1, F41.1.",
    )

    class Meta:
        model = ComprehensiveAssessment
        fields = [
            *NARRATIVE_FIELDS,
            "functional_impairment",
            "clinician_risk",
            "weekly_hours_needed",
            "needs_24_hour_care",
            *LOCUS_RATINGS,
            "locus_composite",
            "locus_level",
            "asam_level",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in NARRATIVE_FIELDS}
        labels = {
            "locus_composite": "LOCUS composite (sites licensed for LOCUS only)",
            "locus_level": "LOCUS level (sites licensed for LOCUS only)",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["diagnoses_text"].initial = ", ".join(self.instance.diagnoses)
        for name in LOCUS_RATINGS:
            field = self.fields[name]
            assert isinstance(field, forms.IntegerField)
            field.min_value, field.max_value = 1, 5
            field.validators += [MinValueValidator(1), MaxValueValidator(5)]
            field.widget.attrs.update(min=1, max=5)
            field.help_text = "Sites licensed for LOCUS only: the rating, 1–5."

    def clean_diagnoses_text(self) -> list[str]:
        codes = [c.strip().upper() for c in self.cleaned_data["diagnoses_text"].split(",")]
        codes = [c for c in codes if c]
        for code in codes:
            try:
                F_CODE(code)
            except ValidationError as exc:
                raise ValidationError(f"{code}: use an ICD-10-CM F-code such as F33.1.") from exc
        return list(dict.fromkeys(codes))


class DecisionForm(forms.Form):
    chosen_level = forms.ChoiceField(
        choices=Level.choices, widget=forms.RadioSelect, label="Level of care chosen"
    )
    variance_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Reason for choosing a different level",
        help_text="Required when the chosen level differs from the recommendation.",
    )

    def __init__(self, *args: Any, recommended: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recommended = recommended
        self.fields["chosen_level"].initial = recommended

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = cleaned.get("chosen_level")
        if chosen and chosen != self.recommended and not cleaned.get("variance_reason", "").strip():
            self.add_error(
                "variance_reason",
                "Give the reason for choosing a level other than the recommendation.",
            )
        return cleaned


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            ("admit", "Admit to the program"),
            ("waitlist", "Place on the program's waitlist"),
            ("decline", "Decline and refer elsewhere"),
        ],
        widget=forms.RadioSelect,
    )
    referred_to = forms.CharField(
        max_length=300, required=False, label="Referred to (when declining)"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    primary_clinician = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Primary clinician (when admitting)",
        help_text="Joins the care team as primary clinician. Left empty: you, if you are a "
        "clinician here, else the clinician who chose the level of care.",
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["primary_clinician"]
        assert isinstance(field, forms.ModelChoiceField)
        if candidates is not None:
            field.queryset = candidates

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _require_referral_when_declined(self, cleaned)
        return cleaned


class RulesForm(forms.Form):
    rules = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
        label="Rules (JSON)",
    )


class StageTargetsForm(forms.Form):
    """Business days a referral may wait in each working stage before it shows as overdue."""

    def __init__(self, *args: Any, current: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage in DEFAULT_STAGE_TARGETS:
            self.fields[str(stage)] = forms.IntegerField(
                label=f"{Referral.Stage(stage).label} within (business days)",
                min_value=1,
                max_value=60,
                initial=current[str(stage)],
                error_messages={
                    "min_value": "Give at least 1 business day.",
                    "max_value": "Give at most 60 business days.",
                    "required": "Give a number of business days.",
                    "invalid": "Give a whole number of business days.",
                },
            )

    def targets(self) -> dict[str, int]:
        return {str(stage): self.cleaned_data[str(stage)] for stage in DEFAULT_STAGE_TARGETS}
