"""The gate to a program's measurement schedules and completion rates: its directors only.

Configuring what a program measures is a program decision, like its on-call rota, so only the
program's directors see or change it. Everyone else, the program's clinicians and intake
coordinators included, gets the same 404 as for a program that does not exist. The
completion page names participants and the share of their questionnaires they completed, so
opening it records one read (`outcomes.completion_viewed`, on the program).
"""

import uuid

from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.outcomes.models import MeasurementSchedule
from openiop.programs import access as programs
from openiop.programs.models import Program


def _program(code: uuid.UUID | str) -> Program:
    try:
        return Program.objects.get(code=code)
    except (Program.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def directed_programs(user: User) -> QuerySet[Program]:
    return Program.objects.filter(pk__in=programs.directed_program_ids(user)).order_by("name")


def get_program_for_director(
    user: User, code: uuid.UUID | str, *, completion_read: bool = False
) -> Granted[Program]:
    """The program, if `user` directs it (WRITE), else 404. `completion_read=True` records
    the completion page's read."""
    program = _program(code)
    if not programs.is_director(user, program.pk):
        raise Http404
    if completion_read:
        record_read("outcomes.completion_viewed", acting_user=user, target=program)
    return Granted(program, Access.WRITE)


def get_schedule_for_director(user: User, code: uuid.UUID | str) -> MeasurementSchedule:
    try:
        schedule = MeasurementSchedule.objects.select_related("program").get(code=code)
    except (MeasurementSchedule.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not programs.is_director(user, schedule.program_id):
        raise Http404
    return schedule
