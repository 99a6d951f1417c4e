"""The brief safety assessment's form: OpenIOP's own questions (CLINICAL.md, "Decisions")."""

from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator

from openiop.safety.actions.assessment import ASSESSMENT_TEXT_LIMIT
from openiop.safety.hooks_assessment import RiskInstruments
from openiop.safety.models import SafetyAssessment


class LongTextField(forms.CharField):
    """Free text up to ASSESSMENT_TEXT_LIMIT characters. No `maxlength` attribute: a browser
    would cut a longer paste silently, so the text is refused with a message instead and stays
    on the page to shorten."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        super().__init__(**kwargs)
        self.validators.append(
            MaxLengthValidator(
                ASSESSMENT_TEXT_LIMIT,
                message=(
                    f"This is %(show_value)s characters long; the limit is "
                    f"{ASSESSMENT_TEXT_LIMIT:,}. Shorten it (your text is still here)."
                ),
            )
        )


class AssessmentForm(forms.Form):
    """The draft's fields. Nothing is required to save a draft; signing checks completeness
    (openiop.safety.actions.assessment.missing_for_signing)."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    instrument_response = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect,
        label="Completed instrument",
        help_text=(
            "A completed response of your site's suicide-risk instrument, used in place of the "
            "structured questions below."
        ),
    )
    risk_factors = LongTextField(
        label="Risk factors",
        help_text=(
            "What raises this person's risk now: for example a recent loss or crisis, "
            "hopelessness, agitation, substance use, past attempts, isolation."
        ),
    )
    protective_factors = LongTextField(
        label="Protective factors",
        help_text=(
            "What holds this person: reasons for living, people who support them, "
            "responsibilities, engagement in care, coping that works."
        ),
    )
    recent_behaviour = LongTextField(
        label="Recent thoughts and behaviour",
        help_text=(
            "Suicidal thoughts (how often, how strong), any plan, intent or preparation, and "
            "anything done toward self-harm recently — or that there was none."
        ),
    )
    lethal_means = forms.ChoiceField(
        required=False,
        choices=SafetyAssessment.LethalMeans.choices,
        widget=forms.RadioSelect,
        label="Access to lethal means",
    )
    lethal_means_detail = LongTextField(
        label="Lethal means: what and what was agreed",
        help_text="Which means (firearms, medicines, other) and the plan to make them safe.",
    )
    risk_level = forms.ChoiceField(
        required=False,
        choices=SafetyAssessment.RiskLevel.choices,
        widget=forms.RadioSelect,
        label="Risk level (your clinical judgement)",
    )
    formulation = LongTextField(
        label="Risk formulation",
        help_text="Why you judge the risk as you do, weighing the factors above.",
    )
    disposition = forms.ChoiceField(
        required=False,
        choices=SafetyAssessment.Disposition.choices,
        widget=forms.RadioSelect,
        label="Disposition",
    )
    disposition_detail = LongTextField(
        label="Disposition: details",
        help_text=(
            "Where the participant goes next, with whom and when; for urgent evaluation or "
            "emergency services this is required."
        ),
    )

    def __init__(self, *args: Any, instruments: RiskInstruments, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        field = self.fields["instrument_response"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None: I answer the structured questions")] + [
            (str(r.pk), r.title) for r in instruments.responses
        ]

    @classmethod
    def initial_for(cls, assessment: SafetyAssessment) -> dict[str, Any]:
        return {
            "edit_version": assessment.version,
            "instrument_response": assessment.instrument_response_id,
            **{
                name: getattr(assessment, name)
                for name in (
                    "risk_factors",
                    "protective_factors",
                    "recent_behaviour",
                    "lethal_means",
                    "lethal_means_detail",
                    "risk_level",
                    "formulation",
                    "disposition",
                    "disposition_detail",
                )
            },
        }

    def values(self) -> dict[str, Any]:
        """The draft's new values, keyed as save_draft takes them."""
        data = {
            name: self.cleaned_data[name]
            for name in self.fields
            if name not in ("edit_version", "instrument_response")
        }
        data["instrument_response_id"] = self.cleaned_data["instrument_response"]
        return data
