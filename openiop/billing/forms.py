"""Billing input: validation and messages only (no writes)."""

from datetime import date
from typing import Any

from django import forms

from openiop.billing import codes as code_lists
from openiop.billing.models import Authorization, BillingProfile, Charge, Coverage, Payer, Plan
from openiop.lib import x12
from openiop.lib.timefmt import format_date
from openiop.programs.models import Program


def coverage_dates(coverage: Coverage) -> str:
    if coverage.ends_on is None:
        return f"from {format_date(coverage.starts_on)}"
    return f"{format_date(coverage.starts_on)} – {format_date(coverage.ends_on)}"


X12_TEXT_MESSAGE = (
    "Claims cannot carry this text: use Latin letters (accents are fine), digits, spaces and "
    "simple punctuation (no * : ^ ~)."
)


def check_x12_text(form: forms.BaseForm, data: dict[str, Any], names: tuple[str, ...]) -> None:
    """Refuse, field by field, text an 837 cannot carry (lib.x12.text, the rule the export
    applies), so it is corrected on entry rather than at export time."""
    for name in names:
        value = data.get(name)
        if value:
            try:
                x12.text(value, name)
            except x12.X12ValueError:
                form.add_error(name, X12_TEXT_MESSAGE)


class ProfileForm(forms.ModelForm):
    # What the 837 prints as text (loops 1000A, 2010AA, 2310A); the rest are identifiers with
    # their own validators on the model.
    X12_TEXT = (
        "organization_name",
        "address",
        "city",
        "contact_name",
        "attending_given_name",
        "attending_family_name",
    )

    class Meta:
        model = BillingProfile
        fields = [
            "organization_name",
            "npi",
            "tax_id",
            "address",
            "city",
            "state",
            "postal_code",
            "contact_name",
            "contact_phone",
            "submitter_id",
            "attending_given_name",
            "attending_family_name",
            "attending_npi",
            "facility_code",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_x12_text(self, data, self.X12_TEXT)
        return data


class PayerForm(forms.ModelForm):
    code_list = forms.CharField(
        label="Codes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One line per kind of program: “mh” (mental health) or “sud” (substance "
        "use), the revenue code and the HCPCS code, e.g. “mh 0905 S9480” and “sud 0906 H0015”.",
    )

    class Meta:
        model = Payer
        fields = ["name", "payer_id", "filing_indicator", "claim_format", "per_diem_rate"]

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        if self.instance.pk:
            self.fields["code_list"].initial = code_lists.as_text(self.instance.codes)

    def clean_payer_id(self) -> str:
        value = self.cleaned_data["payer_id"].upper()
        clash = Payer.objects.filter(program=self.program, payer_id=value)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("Another payer of this program has this payer id.")
        return str(value)

    def clean_name(self) -> str:
        value = self.cleaned_data["name"]
        try:
            x12.text(value, "name")
        except x12.X12ValueError as exc:
            raise forms.ValidationError(X12_TEXT_MESSAGE) from exc
        return str(value)

    def clean_code_list(self) -> list[dict[str, str]]:
        try:
            return code_lists.parse(self.cleaned_data["code_list"])
        except code_lists.CodeListError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def payer_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["codes"] = self.cleaned_data["code_list"]
        return fields


class PlanForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.none(), to_field_name="code")
    name = forms.CharField(max_length=100)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = Payer.objects.filter(program=program).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        payer, name = data.get("payer"), data.get("name")
        if payer and name and Plan.objects.filter(payer=payer, name=name).exists():
            self.add_error("name", "This payer already has a plan with this name.")
        return data


class CoverageForm(forms.ModelForm):
    plan = forms.ModelChoiceField(queryset=Plan.objects.none(), to_field_name="code")

    class Meta:
        model = Coverage
        fields = [
            "plan",
            "priority",
            "member_id",
            "group_number",
            "relationship",
            "subscriber_given_name",
            "subscriber_family_name",
            "subscriber_date_of_birth",
            "sex",
            "address",
            "city",
            "state",
            "postal_code",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "subscriber_date_of_birth": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "member_id": "As printed on the card: letters, digits and hyphens.",
            "subscriber_given_name": "Only when the participant is not the subscriber.",
        }

    def __init__(self, *args: Any, participant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participant = participant
        if "plan" in self.fields:
            self.fields["plan"].queryset = (  # type: ignore[attr-defined]
                Plan.objects.filter(payer__program_id=participant.program_id, payer__is_active=True)
                .select_related("payer")
                .order_by("payer__name", "name")
            )
        self.fields["member_id"].error_messages["invalid"] = (
            "A member id holds letters, digits and hyphens only; leave out spaces and symbols."
        )

    def clean_member_id(self) -> str:
        return str(self.cleaned_data["member_id"]).upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "Coverage cannot end before it starts.")
        if data.get("relationship") and data["relationship"] != Coverage.Relationship.SELF:
            for name in ("subscriber_given_name", "subscriber_family_name"):
                if not data.get(name):
                    self.add_error(name, "Give the subscriber's name.")
        check_x12_text(
            self, data, ("subscriber_given_name", "subscriber_family_name", "address", "city")
        )
        return data

    def coverage_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CoverageEditForm(CoverageForm):
    """A coverage's details, all but the plan: another plan is another coverage (end this one
    and add it), so the claims already made on this one keep their payer."""

    plan = None  # type: ignore[assignment]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(CoverageForm.Meta):
        fields = [name for name in CoverageForm.Meta.fields if name != "plan"]


class EndCoverageForm(forms.Form):
    ends_on = forms.DateField(
        label="Last day covered",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The coverage stays on file. Program days after it are held as “no coverage” "
        "unless another coverage starts.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, coverage: Coverage, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.coverage = coverage

    def clean_ends_on(self) -> date:
        ends_on: date = self.cleaned_data["ends_on"]
        if ends_on < self.coverage.starts_on:
            raise forms.ValidationError(
                f"Coverage cannot end before it starts ({format_date(self.coverage.starts_on)})."
            )
        return ends_on


class AuthorizationForm(forms.ModelForm):
    coverage = forms.ModelChoiceField(queryset=Coverage.objects.none(), to_field_name="code")

    class Meta:
        model = Authorization
        fields = [
            "coverage",
            "level_of_care",
            "units_approved",
            "starts_on",
            "ends_on",
            "reference_number",
        ]
        labels = {"units_approved": "Units (program days) approved"}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, participant: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coverage"].queryset = (  # type: ignore[attr-defined]
            Coverage.objects.filter(participant=participant)
            .select_related("plan__payer")
            .order_by("priority", "-starts_on")
        )
        # A participant may have had several coverages at one priority, one after the other.
        self.fields["coverage"].label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.get_priority_display()}: {c.plan}, {coverage_dates(c)}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The authorization cannot end before it starts.")
        return data

    def authorization_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "coverage"}


class ChargeFilterForm(forms.Form):
    month = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "month"}))
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Charge.Status.choices])
    payer = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, program: Program, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["payer"].choices = [  # type: ignore[attr-defined]
            ("", "Any payer"),
            *(
                (str(p.code), p.name)
                for p in Payer.objects.filter(program=program).order_by("name")
            ),
        ]

    def period(self) -> tuple[date, date]:
        value = (self.cleaned_data.get("month") or "") if self.is_valid() else ""
        try:
            year, month = (int(part) for part in value.split("-"))
            first = date(year, month, 1)
        except (ValueError, TypeError):
            first = self.today.replace(day=1)
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return first, following.fromordinal(following.toordinal() - 1)
