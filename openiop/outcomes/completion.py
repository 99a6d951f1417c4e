"""Completion rates of measurement occasions: per participant, per group and per clinician.

Each is one aggregate query, whatever the number of participants: counts of due, completed,
open and missed occasions, and the completed share, all computed by the database. Group and
clinician are as recorded on each occasion when it fell due (see MeasurementOccasion).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast, NullIf

from openiop.accounts.models import User
from openiop.outcomes.models import MeasurementOccasion, outcome_conditions
from openiop.participants.models import Participant
from openiop.programs.models import Group, Program


def _counts(prefix: str, scope: Q) -> dict[str, Any]:
    """Annotations counting occasions reached through `prefix`, limited to `scope`."""
    outcomes = outcome_conditions(prefix)
    occasion = f"{prefix}id"
    counts: dict[str, Any] = {"due": Count(occasion, filter=scope)}
    for name, condition in outcomes.items():
        counts[name] = Count(occasion, filter=scope & condition)
    return counts


def _with_rate(queryset: QuerySet[Any]) -> QuerySet[Any]:
    # A share of 0..1; NULL when nothing was due (no division by zero).
    return queryset.filter(due__gt=0).annotate(
        rate=Cast(F("completed"), FloatField()) / NullIf(Cast(F("due"), FloatField()), 0.0)
    )


def _scope(prefix: str, program: Program, since: date | None) -> Q:
    scope = Q(**{f"{prefix}schedule__program": program})
    if since is not None:
        scope &= Q(**{f"{prefix}due_on__gte": since})
    return scope


def by_participant(program: Program, *, since: date | None = None) -> QuerySet[Any]:
    prefix = "measurement_occasions__"
    rows = Participant.objects.filter(program=program).annotate(
        **_counts(prefix, _scope(prefix, program, since))
    )
    return _with_rate(rows).order_by("family_name", "given_name", "id")


def by_group(program: Program, *, since: date | None = None) -> QuerySet[Any]:
    prefix = "measurement_occasions__"
    rows = (
        Group.objects.filter(track__program=program)
        .select_related("track")
        .annotate(**_counts(prefix, _scope(prefix, program, since)))
    )
    return _with_rate(rows).order_by("track__name", "name")


def by_clinician(program: Program, *, since: date | None = None) -> QuerySet[Any]:
    """Primary clinicians, by the occasions that fell due while they held that role."""
    prefix = "measurement_occasions__"
    rows = User.objects.annotate(**_counts(prefix, _scope(prefix, program, since)))
    return _with_rate(rows).order_by("family_name", "given_name", "id")


@dataclass(frozen=True)
class Totals:
    due: int
    completed: int
    open: int
    missed: int

    @property
    def rate(self) -> float | None:
        return self.completed / self.due if self.due else None


def program_totals(program: Program, *, since: date | None = None) -> Totals:
    scope = _scope("", program, since)
    row = MeasurementOccasion.objects.aggregate(**_counts("", scope))
    return Totals(row["due"], row["completed"], row["open"], row["missed"])
