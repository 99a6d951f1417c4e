"""Program setup forms (docs/programs.md). Each keeps what was typed when it refuses it."""

from typing import Any

from django import forms

from openiop.accounts.models import User
from openiop.programs.actions import MAX_GROUP_CAPACITY, overlapping_tracks
from openiop.programs.eligibility import Seat, may_hold
from openiop.programs.models import (
    WEEKDAY_CODES,
    GroupFacilitator,
    Program,
    Track,
    TrackBlock,
)

DAY_CHOICES = list(
    zip(
        WEEKDAY_CODES,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class ProgramSettingsForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = (
            "name",
            "timezone",
            "weekly_minimum_hours",
            "daily_minimum_hours",
            "typical_length_weeks",
            "phone",
            "after_hours_message",
        )
        labels = {
            "timezone": "Time zone",
            "weekly_minimum_hours": "Weekly minimum hours",
            "daily_minimum_hours": "Daily minimum hours",
            "typical_length_weeks": "Typical length of stay (weeks)",
            "phone": "Program phone",
        }
        help_texts = {
            "timezone": "An IANA zone such as America/New_York. Sessions are planned in it; "
            "sessions already on the calendar keep their times.",
            "weekly_minimum_hours": "Adult IOP at least 9, adolescent at least 6 (CLINICAL.md).",
        }


class BlockForm(forms.Form):
    """One weekly block: the days and the local start and end time."""

    days = forms.MultipleChoiceField(
        choices=DAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    starts_at = forms.TimeField(label="Starts", widget=TimeInput)
    ends_at = forms.TimeField(label="Ends", widget=TimeInput)
    overlap_confirmed = forms.BooleanField(
        label="Run at the same time as the tracks listed anyway (with different staff)",
        required=False,
    )

    def __init__(self, *args: Any, program: Program, track: Track | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.program = program
        self.track = track

    def rule(self) -> str:
        return "FREQ=WEEKLY;BYDAY=" + ",".join(self.cleaned_data["days"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "The end time must be after the start time.")
            return data
        if not (starts and ends and data.get("days")) or data.get("overlap_confirmed"):
            return data
        block = TrackBlock(rule=self.rule(), starts_at=starts, ends_at=ends)
        clashes = overlapping_tracks(self.program, [block], exclude=self.track)
        if clashes:
            listed = "; ".join(f"{track.name} ({theirs.summary})" for track, theirs in clashes)
            self.add_error(
                "overlap_confirmed",
                f"These hours overlap another active track of the program: {listed}. "
                "Change the days or hours, or tick the box if both tracks really run at once.",
            )
        return data


class TrackForm(forms.ModelForm):
    # Only on an inactive track: turning it back on may clash with tracks added meanwhile.
    overlap_confirmed = forms.BooleanField(
        label="Run at the same time as the tracks listed anyway (with different staff)",
        required=False,
    )

    class Meta:
        model = Track
        fields = (
            "name",
            "starts_on",
            "level_of_care",
            "weekly_minimum_hours",
            "daily_minimum_hours",
            "typical_length_weeks",
            "is_active",
        )
        labels = {
            "starts_on": "First week",
            "level_of_care": "Level of care",
            "weekly_minimum_hours": "Weekly minimum hours",
            "daily_minimum_hours": "Daily minimum hours",
            "typical_length_weeks": "Typical length of stay (weeks)",
            "is_active": "Active (sessions are generated)",
        }
        help_texts = {
            "level_of_care": "Empty: the program's level of care.",
            "weekly_minimum_hours": "Empty: the program's minimum.",
            "daily_minimum_hours": "Empty: the program's minimum.",
            "typical_length_weeks": "Empty: the program's typical length.",
        }
        widgets = {"starts_on": DateInput}

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        level = self.fields["level_of_care"]
        assert isinstance(level, forms.ChoiceField)
        level.choices = [
            ("", "Same as the program"),
            *Program.LevelOfCare.choices,
        ]
        if self.instance.pk is None:
            del self.fields["is_active"]
        if self.instance.pk is None or self.instance.is_active:
            del self.fields["overlap_confirmed"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reactivated = self.instance.pk and not self.instance.is_active and data.get("is_active")
        if not reactivated or data.get("overlap_confirmed"):
            return data
        clashes = overlapping_tracks(
            self.program, list(self.instance.blocks.all()), exclude=self.instance
        )
        if clashes:
            listed = "; ".join(f"{track.name} ({theirs.summary})" for track, theirs in clashes)
            self.add_error(
                "overlap_confirmed",
                f"Turned back on, this track would overlap another active track: {listed}. "
                "Change its hours first, or tick the box if both tracks really run at once.",
            )
        return data

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = Track.objects.filter(program=self.program, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("The program already has a track with this name.")
        return name


class GroupForm(forms.Form):
    name = forms.CharField(max_length=150)
    capacity = forms.IntegerField(
        label="Seats",
        min_value=1,
        max_value=MAX_GROUP_CAPACITY,
        error_messages={
            "min_value": "A group needs at least one seat: a group with no seats could "
            "never admit anyone.",
            "max_value": f"A group has at most {MAX_GROUP_CAPACITY} seats (one video room).",
        },
        help_text="Groups usually have 6 to 12 members. Change it later on the roster.",
    )
    curriculum_starts_on = forms.DateField(
        label="Curriculum starts",
        widget=DateInput,
        help_text="The week in which the first module is taught; modules then rotate weekly.",
    )
    is_active = forms.BooleanField(label="Open to new members", required=False)

    def __init__(self, *args: Any, track: Track, editing: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.track = track
        self.editing = editing
        if editing is None:
            del self.fields["is_active"]
        else:
            del self.fields["capacity"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        taken = self.track.groups.filter(name__iexact=name)
        if self.editing is not None:
            taken = taken.exclude(pk=self.editing.pk)
        if taken.exists():
            raise forms.ValidationError("This track already has a group with this name.")
        return name


def _display_name(user: User) -> str:
    return user.display_name


class FacilitatorForm(forms.Form):
    clinician = forms.ModelChoiceField(
        label="Staff member",
        queryset=User.objects.none(),
        help_text="Clinical staff of the program who may facilitate a group here.",
    )
    role = forms.ChoiceField(choices=GroupFacilitator.Role.choices)

    def __init__(self, *args: Any, program: Program, exclude: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = (
            User.objects.filter(program_memberships__program=program, is_active=True)
            .exclude(pk__in=list(exclude))
            .distinct()
            .order_by("family_name", "given_name")
        )
        allowed = [user.pk for user in staff if may_hold(user, Seat.FACILITATOR, program)]
        field = self.fields["clinician"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=allowed).order_by("family_name", "given_name")
        field.label_from_instance = _display_name  # type: ignore[method-assign,assignment]


class TopicForm(forms.Form):
    title = forms.CharField(label="Module title", max_length=150)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
