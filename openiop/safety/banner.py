"""The safety banner's alerts, with its SQL built once per person per process.

The banner is on every staff page. Its query is small for the database (well under a
millisecond) but costly for Django to build: the access rules of `open_alerts_for_user` (four
permission subqueries) and the window functions that pick the first BANNER_LIMIT alerts plus
every emergency took most of the banner's 8 ms per page (docs/performance.md, issue 14). The
SQL depends only on who asks: their id and the fields the access rules read (role,
discipline, is_active). So each web process compiles it once per such key and runs the stored
SQL on later pages. Only the SQL is kept, never a result: every page runs the query again,
so an alert raised a moment ago, an emergency above all, shows on the next page, and access
follows care-team and rota changes at once (they are rows the query reads, not part of it).
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.db.models.sql.compiler import SQLCompiler

from openiop.accounts.models import User
from openiop.participants.models import Participant
from openiop.safety.access import open_alerts_for_user
from openiop.safety.models import Acuity, SafetyAlert

BANNER_LIMIT = 5
# What the banner shows of each alert (safety/_banner.html).
FIELDS = (
    "code",
    "acuity",
    "kind",
    "opened_at",
    "trigger_count",
    "participant__given_name",
    "participant__preferred_name",
    "participant__family_name",
    "total",
)
# Compiled queries kept per process; emptied when full (a few hundred staff per node).
MAX_KEYS = 2000

_compiled: dict[tuple[Any, ...], tuple[SQLCompiler, str, tuple[Any, ...]] | None] = {}


def banner_queryset(user: User) -> QuerySet[Any]:
    """Open alerts the user receives: the first BANNER_LIMIT (most urgent, then oldest) and
    every emergency (never hidden behind older, less urgent alerts), each with the total."""
    order = [F("acuity").desc(), F("opened_at").asc(), F("id").asc()]
    return (
        open_alerts_for_user(user)
        .annotate(position=Window(RowNumber(), order_by=order), total=Window(Count("id")))
        .filter(Q(position__lte=BANNER_LIMIT) | Q(acuity=Acuity.EMERGENCY))
        .order_by(*order)
        .values_list(*FIELDS)
    )


def _key(user: User, alias: str) -> tuple[Any, ...]:
    # Everything of the user that the access rules read while building the query.
    return (alias, user.pk, user.is_active, user.role, user.discipline)


def banner_alerts(user: User) -> tuple[list[SafetyAlert], int]:
    """(alerts to show, total open alerts the user receives): one query."""
    alias = SafetyAlert.objects.db  # the router's choice for a read
    key = _key(user, alias)
    if key not in _compiled:
        queryset = banner_queryset(user)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            entry = None
        else:
            entry = (compiler, sql, tuple(params))
        if len(_compiled) >= MAX_KEYS:
            _compiled.clear()
        _compiled[key] = entry
    entry = _compiled[key]
    if entry is None:
        return [], 0
    compiler, sql, params = entry
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = list(compiler.results_iter([cursor.fetchall()]))
    alerts = []
    for code, acuity, kind, opened_at, triggers, given, preferred, family, _total in rows:
        alert = SafetyAlert(
            code=code, acuity=acuity, kind=kind, opened_at=opened_at, trigger_count=triggers
        )
        alert.participant = Participant(
            given_name=given, preferred_name=preferred, family_name=family
        )
        alerts.append(alert)
    total = rows[0][-1] if rows else 0
    return alerts, total
