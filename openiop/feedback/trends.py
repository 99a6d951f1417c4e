"""Trend tables: weekly check-in averages per group and per clinician, built from the
aggregates of openiop.feedback.queries plus one query for each set of names."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet

from openiop.accounts.models import User
from openiop.feedback import queries
from openiop.feedback.models import SessionCheckIn
from openiop.programs.models import Group

WEEKS = 12


@dataclass
class Series:
    label: str
    weeks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(w["answered"] for w in self.weeks)


def _series(rows: list[dict[str, Any]], key: str, labels: dict[Any, str]) -> list[Series]:
    result: dict[Any, Series] = {}
    for row in rows:
        ident = row[key]
        if ident not in result:
            result[ident] = Series(labels.get(ident, "Individual sessions"))
        result[ident].weeks.append(row)
    return sorted(result.values(), key=lambda s: s.label)


def window(check_ins: QuerySet[SessionCheckIn], now: datetime) -> QuerySet[SessionCheckIn]:
    return check_ins.filter(
        session__starts_at__gte=now - timedelta(weeks=WEEKS), session__starts_at__lte=now
    )


def by_group(check_ins: QuerySet[SessionCheckIn]) -> list[Series]:
    rows = queries.weekly_by_group(check_ins)
    ids = {r["session__group_id"] for r in rows} - {None}
    names = dict(Group.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return _series(rows, "session__group_id", names)


def by_clinician(check_ins: QuerySet[SessionCheckIn]) -> list[Series]:
    rows = queries.weekly_by_clinician(check_ins)
    ids = {r["clinician_id"] for r in rows}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)} if ids else {}
    return _series(rows, "clinician_id", names)
