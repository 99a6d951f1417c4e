"""Reading answers from a posted questionnaire page, and the staff forms."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from openiop.assessments.definitions import Definition, Item
from openiop.assessments.models import InstrumentDefinition
from openiop.assessments.scoring import Answer, enabled_items

FIELD_PREFIX = "q-"
MAX_TEXT_ANSWER = 2000


def answers_from_post(definition: Definition, data: QueryDict) -> dict[str, Any]:
    """Answers keyed by linkId; unknown fields are ignored, values are checked by scoring."""
    answers: dict[str, Any] = {}
    for item in definition.questions:
        value = data.get(f"{FIELD_PREFIX}{item.link_id}", "")
        value = value.strip() if isinstance(value, str) else value
        if value:
            answers[item.link_id] = value[:MAX_TEXT_ANSWER]
    return answers


@dataclass
class Option:
    value: str
    label: str
    checked: bool
    critical: bool = False


@dataclass
class Question:
    """One question as the page shows it."""

    item: Item
    # As shown: the item's FHIR prefix ("4a") or its place among the questions ("7").
    number: str
    value: Any
    options: list[Option] = field(default_factory=list)
    missing: bool = False
    enabled: bool = True

    @property
    def has_critical(self) -> bool:
        return any(o.critical for o in self.options)

    @property
    def critical_checked(self) -> bool:
        return any(o.critical and o.checked for o in self.options)

    @property
    def field_name(self) -> str:
        return f"{FIELD_PREFIX}{self.item.link_id}"

    @property
    def dom_id(self) -> str:
        return "q-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.number)

    @property
    def enable_when_json(self) -> str:
        return json.dumps(
            {
                "behavior": self.item.enable_behavior,
                "conditions": [
                    {"question": f"{FIELD_PREFIX}{c.question}", "answer": c.answer_code}
                    for c in self.item.enable_when
                ],
            }
        )


def questions_for(
    definition: Definition, answers: dict[str, Answer], missing: tuple[str, ...] = ()
) -> list[Question]:
    """Every item in order (display items too, numbered ""), with the current answers.

    A question's number is its ``prefix`` when the definition gives one (the ASQ's follow-ups
    to question 4 are "4a" and "4b", so question 5 stays 5); otherwise questions are counted.
    """
    enabled = {item.link_id for item in enabled_items(definition, answers)}
    thresholds = {c.item: c.min_score for c in definition.critical_items}
    questions = []
    number = 0
    for item in definition.items:
        value = answers.get(item.link_id)
        threshold = thresholds.get(item.link_id)
        if item.type == "choice":
            options = [
                Option(
                    o.code,
                    o.label,
                    o.code == value,
                    threshold is not None and o.score is not None and o.score >= threshold,
                )
                for o in item.options
            ]
        elif item.type == "integer":
            assert item.min_value is not None and item.max_value is not None
            options = [
                Option(
                    str(n),
                    str(n),
                    value is not None and str(value) == str(n),
                    threshold is not None and n >= threshold,
                )
                for n in range(item.min_value, item.max_value + 1)
            ]
        else:
            options = []
        shown = ""
        if item.is_question:
            number += 1
            shown = item.prefix or str(number)
        questions.append(
            Question(
                item=item,
                number=shown,
                value=value,
                options=options,
                missing=item.link_id in missing,
                enabled=not item.is_question or item.link_id in enabled,
            )
        )
    return questions


class AssignForm(forms.Form):
    instrument = forms.ModelChoiceField(
        queryset=InstrumentDefinition.objects.none(), empty_label="Choose an instrument"
    )

    def __init__(self, *args: Any, instruments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = instruments  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Why the answers are corrected (e.g. the participant clarified an answer).",
    )
