"""The safety plan editor and the review form.

The editor is one form holding every line of every step, so each button (add a line, remove
one, move one up or down, save, sign) posts everything typed so far: nothing is lost, and it
works without JavaScript. The buttons share the name `op`; `PlanDraftForm.op()` reads it.
"""

import re
from dataclasses import dataclass
from typing import Any

from django import forms

from openiop.lib.phone import PhoneFormField
from openiop.safety.actions.plan import Line, Means, PlanContent
from openiop.safety.models import SafetyPlanEntry, SafetyPlanReview

Step = SafetyPlanEntry.Step

MAX_LINES_PER_STEP = 20
MAX_MEANS = 10
LONG_TEXT = 10_000

# Below each step's label: what goes there, in OpenIOP's words.
STEP_HINTS = {
    Step.WARNING_SIGNS: "Thoughts, feelings, situations or habits that tell me things are "
    "getting harder.",
    Step.COPING: "What I can do by myself, without reaching anyone, to calm down or take my "
    "mind off things.",
    Step.DISTRACTION: "People I can spend time with and places I can go to get out of my head "
    "(with phone numbers where it helps).",
    Step.HELPERS: "Family or friends I can tell that I am struggling and ask to help.",
    Step.PROFESSIONALS: "My clinicians, crisis lines and where to go in an emergency.",
    Step.SAFE_SURROUNDINGS: "How I will keep things I could use to hurt myself out of reach.",
}

OP = re.compile(r"(save|sign|add|remove|up|down|add-means|remove-means)(?::(\d)(?::(\d+))?)?")


@dataclass
class Op:
    name: str
    step: int | None = None
    index: int | None = None


def _count(data: Any, key: str, limit: int) -> int:
    try:
        return max(0, min(int(data.get(key, 0)), limit))
    except (TypeError, ValueError):
        return 0


class PlanDraftForm(forms.Form):
    reason_for_living = forms.CharField(
        label="What matters most to me and keeps me going",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT,
        required=False,
    )
    participant_participated = forms.BooleanField(
        label="Written together with the participant", required=False
    )
    review_due_on = forms.DateField(
        label="Review by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: when the care team should go over this plan again.",
    )

    def __init__(self, data: Any = None, *, content: PlanContent | None = None) -> None:
        if data is None and content is not None:
            initial = self.initial_from(content)
            super().__init__(initial=initial)
            counts = {s: len(content.lines[s]) for s in Step.values}
            means = len(content.means)
        else:
            super().__init__(data)
            counts = {s: _count(data, f"s{s}-count", MAX_LINES_PER_STEP) for s in Step.values}
            means = _count(data, "m-count", MAX_MEANS)
        self.counts = counts
        self.means_count = means
        for step in Step.values:
            for i in range(counts[step]):
                self.fields[f"s{step}-{i}-text"] = forms.CharField(
                    label=f"Line {i + 1}", max_length=500, required=False
                )
                self.fields[f"s{step}-{i}-phone"] = PhoneFormField(
                    label=f"Phone for line {i + 1}", required=False
                )
        for i in range(means):
            self.fields[f"m-{i}-means"] = forms.CharField(
                label="What", max_length=200, required=False
            )
            self.fields[f"m-{i}-action"] = forms.CharField(
                label="What will be done", max_length=500, required=False
            )
            self.fields[f"m-{i}-person"] = forms.CharField(
                label="Who will do it", max_length=150, required=False
            )
            self.fields[f"m-{i}-verified"] = forms.DateField(
                label="Checked on",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    @staticmethod
    def initial_from(content: PlanContent) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "reason_for_living": content.reason_for_living,
            "participant_participated": content.participant_participated,
            "review_due_on": content.review_due_on,
        }
        for step, lines in content.lines.items():
            for i, line in enumerate(lines):
                initial[f"s{step}-{i}-text"] = line.text
                initial[f"s{step}-{i}-phone"] = line.phone
        for i, m in enumerate(content.means):
            initial[f"m-{i}-means"] = m.means
            initial[f"m-{i}-action"] = m.action
            initial[f"m-{i}-person"] = m.responsible_person
            initial[f"m-{i}-verified"] = m.verified_on
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for step in Step.values:
            for i in range(self.counts[step]):
                text = (cleaned.get(f"s{step}-{i}-text") or "").strip()
                if cleaned.get(f"s{step}-{i}-phone") and not text:
                    self.add_error(f"s{step}-{i}-text", "Say whose number this is.")
        for i in range(self.means_count):
            means = (cleaned.get(f"m-{i}-means") or "").strip()
            action = (cleaned.get(f"m-{i}-action") or "").strip()
            if bool(means) != bool(action) and (means or action):
                field = f"m-{i}-action" if means else f"m-{i}-means"
                self.add_error(field, "Fill in both what it is and what will be done.")
        return cleaned

    def content(self) -> PlanContent:
        data = self.cleaned_data
        content = PlanContent(
            reason_for_living=data.get("reason_for_living") or "",
            review_due_on=data.get("review_due_on"),
            participant_participated=bool(data.get("participant_participated")),
        )
        for step in Step.values:
            content.lines[step] = [
                Line(
                    (data.get(f"s{step}-{i}-text") or "").strip(),
                    str(data.get(f"s{step}-{i}-phone") or ""),
                )
                for i in range(self.counts[step])
            ]
        content.means = [
            Means(
                (data.get(f"m-{i}-means") or "").strip(),
                (data.get(f"m-{i}-action") or "").strip(),
                (data.get(f"m-{i}-person") or "").strip(),
                data.get(f"m-{i}-verified"),
            )
            for i in range(self.means_count)
        ]
        return content

    def op(self) -> Op:
        match = OP.fullmatch(str(self.data.get("op", "save")))
        if match is None:
            return Op("save")
        name, step, index = match.groups()
        return Op(name, int(step) if step else None, int(index) if index else None)

    def steps(self) -> list[dict[str, Any]]:
        """For the template: each step with its rows of bound fields."""
        result = []
        for step in Step:
            rows = [
                {
                    "index": i,
                    "text": self[f"s{step.value}-{i}-text"],
                    "phone": self[f"s{step.value}-{i}-phone"],
                    "first": i == 0,
                    "last": i == self.counts[step.value] - 1,
                }
                for i in range(self.counts[step.value])
            ]
            result.append(
                {
                    "number": step.value,
                    "label": step.label,
                    "hint": STEP_HINTS[step],
                    "rows": rows,
                    "count": self.counts[step.value],
                    "full": self.counts[step.value] >= MAX_LINES_PER_STEP,
                }
            )
        return result

    def means_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "index": i,
                "means": self[f"m-{i}-means"],
                "action": self[f"m-{i}-action"],
                "person": self[f"m-{i}-person"],
                "verified": self[f"m-{i}-verified"],
            }
            for i in range(self.means_count)
        ]


def apply_op(content: PlanContent, op: Op) -> str:
    """Change `content` as the button asked; returns the anchor to come back to."""
    step, index = op.step, op.index
    if op.name == "add" and step in content.lines:
        if len(content.lines[step]) < MAX_LINES_PER_STEP:
            content.lines[step].append(Line(""))
        return f"step-{step}"
    if op.name in ("remove", "up", "down") and step in content.lines and index is not None:
        lines = content.lines[step]
        if 0 <= index < len(lines):
            if op.name == "remove":
                del lines[index]
            elif op.name == "up" and index > 0:
                lines[index - 1], lines[index] = lines[index], lines[index - 1]
            elif op.name == "down" and index < len(lines) - 1:
                lines[index + 1], lines[index] = lines[index], lines[index + 1]
        return f"step-{step}"
    if op.name == "add-means":
        if len(content.means) < MAX_MEANS:
            content.means.append(Means("", ""))
        return "step-6"
    if op.name == "remove-means" and step is not None and 0 <= step < len(content.means):
        del content.means[step]
        return "step-6"
    return ""


class PlanReviewForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why it was reviewed",
        choices=SafetyPlanReview.Reason.choices,
        widget=forms.RadioSelect,
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=SafetyPlanReview.Outcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LONG_TEXT,
        required=False,
        help_text="What you went over with the participant.",
    )
    next_review_on = forms.DateField(
        label="Next review by",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: on the alert page it sits beside the acknowledgement form, whose note
        # would otherwise share `id_note` and lose its label to this one.
        kwargs.setdefault("auto_id", "review_%s")
        super().__init__(*args, **kwargs)
