"""The group note's one form: the shared part once, then one line per booked participant.

Text limits: a group note is short by nature (the individual part is "a short individual
part"), and every attendee's note repeats the shared part, so the shared narrative takes up to
20,000 characters and each individual part up to 5,000. Longer text is refused with a message
that says so; the page keeps what was typed.
"""

from typing import Any

from django import forms

from openiop.careplans.models import Objective
from openiop.lib.timefmt import format_date
from openiop.notes.actions import AttendeePart, SharedPart
from openiop.programs.models import CurriculumTopic
from openiop.scheduling.models import Booking, Session

SHARED_MAX = 20_000
INDIVIDUAL_MAX = 5_000
INTERVENTIONS_MAX = 2_000

ATTENDANCE_CHOICES = [("", "Not recorded yet"), *Booking.Attendance.choices]


def _too_long(what: str, limit: int) -> dict[str, str]:
    return {
        "max_length": f"{what} can be at most {limit:,} characters (it has %(show_value)s).",
    }


def _objective_label(objective: Objective) -> str:
    return f"{objective.text} (target {format_date(objective.target_date)})"


class GroupNoteForm(forms.Form):
    topic = forms.CharField(
        max_length=200, required=False, error_messages=_too_long("The topic", 200)
    )
    curriculum_module = forms.ModelChoiceField(
        queryset=CurriculumTopic.objects.none(), required=False, empty_label="None"
    )
    interventions = forms.CharField(
        max_length=INTERVENTIONS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the facilitators did: skills taught, exercises, modality.",
        error_messages=_too_long("The interventions", INTERVENTIONS_MAX),
    )
    shared_text = forms.CharField(
        label="Shared narrative",
        max_length=SHARED_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Written once, copied into every attendee's note: name no group member.",
        error_messages=_too_long("The shared narrative", SHARED_MAX),
    )
    edit_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    confirm_no_objective = forms.BooleanField(
        label="Sign even where an individual part cites no objective of that attendee's plan",
        required=False,
    )

    def __init__(self, *args: Any, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["curriculum_module"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = CurriculumTopic.objects.filter(group=session.group)

    def shared_part(self) -> SharedPart:
        data = self.cleaned_data
        return SharedPart(
            topic=data["topic"],
            curriculum_module=data["curriculum_module"],
            interventions=data["interventions"],
            shared_text=data["shared_text"],
        )


class AttendeeForm(forms.Form):
    attendance = forms.ChoiceField(choices=ATTENDANCE_CHOICES, required=False)
    minutes = forms.IntegerField(label="Minutes attended", min_value=0, required=False)
    absence_reason = forms.CharField(
        label="Reason for absence",
        max_length=200,
        required=False,
        error_messages=_too_long("The reason", 200),
    )
    individual_text = forms.CharField(
        label="Individual part",
        max_length=INDIVIDUAL_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Participation, response and progress toward this attendee's own goals.",
        error_messages=_too_long("The individual part", INDIVIDUAL_MAX),
    )
    objectives = forms.ModelMultipleChoiceField(
        label="Objectives addressed",
        queryset=Objective.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        booking: Booking,
        objectives: list[Objective],
        session_minutes: int,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("prefix", f"p-{booking.code}")
        super().__init__(*args, **kwargs)
        self.booking = booking
        self.objective_list = objectives
        minutes = self.fields["minutes"]
        assert isinstance(minutes, forms.IntegerField)
        minutes.widget.attrs["max"] = session_minutes
        field = self.fields["objectives"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Objective.objects.filter(pk__in=[o.pk for o in objectives])
        field.label_from_instance = _objective_label  # type: ignore[assignment]
        self.session_minutes = session_minutes

    @property
    def participant(self) -> Any:
        return self.booking.participant

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        attendance = data.get("attendance")
        minutes = data.get("minutes")
        if minutes is not None and minutes > self.session_minutes:
            self.add_error("minutes", f"The session lasted {self.session_minutes} minutes.")
        elif attendance in (Booking.Attendance.LATE, Booking.Attendance.LEFT_EARLY):
            if not minutes:
                self.add_error(
                    "minutes", "Enter the minutes attended for a late arrival or early leave."
                )
        elif attendance == Booking.Attendance.PRESENT and minutes == 0:
            self.add_error("minutes", "Someone present attended at least one minute.")
        return data

    def attendee_part(self) -> AttendeePart:
        data = self.cleaned_data
        return AttendeePart(
            booking=self.booking,
            attendance=data["attendance"],
            absence_reason=data["absence_reason"],
            minutes=data["minutes"],
            individual_text=data["individual_text"],
            objectives=list(data["objectives"]),
        )
