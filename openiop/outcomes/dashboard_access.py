"""The gate to the program outcomes dashboard (docs/outcomes.md, docs/permissions.md).

Who: the program's directors (openiop.programs.access decides who directs), and active
administrators, for every program — the dashboard shows counts and rates only, never a
participant's name or record. Everyone else gets 404, as for a program that does not exist.

Each page view records one `outcomes.dashboard_viewed` read and each CSV one
`outcomes.dashboard_exported` (target: the program; details: the period and filters as
dates and codes), after the filters are read, so the trail says what was looked at.
"""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.programs import access as programs
from openiop.programs.models import Program

VIEWED = "outcomes.dashboard_viewed"
EXPORTED = "outcomes.dashboard_exported"


def _administrator(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == User.Role.ADMINISTRATOR)


def dashboard_programs(user: User) -> QuerySet[Program]:
    """Programs whose dashboard the user may open (one query when listed)."""
    if _administrator(user):
        return Program.objects.order_by("name")
    return Program.objects.filter(pk__in=programs.directed_program_ids(user)).order_by("name")


def get_program_for_dashboard(user: User, code: uuid.UUID | str) -> Program:
    if not user.is_authenticated:
        raise Http404
    try:
        return dashboard_programs(user).get(code=code)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def record_dashboard_read(
    user: User, program: Program, details: dict[str, Any], *, export: bool = False
) -> None:
    record_read(EXPORTED if export else VIEWED, acting_user=user, target=program, details=details)
