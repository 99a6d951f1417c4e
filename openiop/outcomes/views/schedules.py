"""Measurement schedules of a program and their completion rates (its directors only)."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.assessments.models import InstrumentDefinition
from openiop.lib.recurrence import get_zone
from openiop.outcomes import completion, schedule_actions
from openiop.outcomes.models import MeasurementSchedule
from openiop.outcomes.schedule_access import (
    directed_programs,
    get_program_for_director,
    get_schedule_for_director,
)
from openiop.outcomes.schedule_forms import ScheduleForm
from openiop.programs.models import Program

# Completion-rate periods offered on the page, in weeks (None: since the first schedule).
PERIODS = {"4": 4, "12": 12, "all": None}


@require_GET
@login_required
def index(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    return render(
        request, "outcomes/schedules_index.html", {"programs": directed_programs(request.user)}
    )


def _render(
    request: AuthedRequest, program: Program, form: ScheduleForm | None = None, status: int = 200
) -> HttpResponse:
    schedules = list(
        MeasurementSchedule.objects.filter(program=program)
        .select_related("track", "created_by", "deactivated_by")
        .order_by("-is_active", "track__name", "instrument_key", "-created_at")
    )
    instruments = {
        row.key: row
        for row in InstrumentDefinition.objects.filter(
            key__in={s.instrument_key for s in schedules}, is_active=True
        )
    }
    rows = [(s, instruments.get(s.instrument_key)) for s in schedules]
    return render(
        request,
        "outcomes/schedules_list.html",
        {
            "program": program,
            "active": [row for row in rows if row[0].is_active],
            "inactive": [row for row in rows if not row[0].is_active],
            "form": form or ScheduleForm(program=program),
            "defaults": schedule_actions.DEFAULT_PLANS,
        },
        status=status,
    )


@require_GET
@login_required
def schedules(request: AuthedRequest, code: str) -> HttpResponse:
    program = get_program_for_director(request.user, code).row
    return _render(request, program)


@require_POST
@login_required
def add(request: AuthedRequest, code: str) -> HttpResponse:
    program = get_program_for_director(request.user, code).row
    form = ScheduleForm(request.POST, program=program)
    if not form.is_valid():
        return _render(request, program, form, status=400)
    try:
        schedule_actions.add_schedule(
            program, form.plan(form.cleaned_data), acting_user=request.user
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render(request, program, form, status=400)
    messages.success(request, "Schedule added. The next sweep assigns what falls due.")
    return redirect("outcomes:schedules", program.code)


@require_POST
@login_required
def add_defaults(request: AuthedRequest, code: str) -> HttpResponse:
    program = get_program_for_director(request.user, code).row
    try:
        added = schedule_actions.add_default_schedules(program, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("outcomes:schedules", program.code)
    if added:
        messages.success(request, f"Added {len(added)} default schedule(s).")
    else:
        messages.info(request, "The program already has the default schedules.")
    return redirect("outcomes:schedules", program.code)


@require_POST
@login_required
def deactivate(request: AuthedRequest, code: str) -> HttpResponse:
    schedule = get_schedule_for_director(request.user, code)
    if schedule_actions.deactivate_schedule(schedule, acting_user=request.user):
        messages.success(request, "Schedule deactivated. Questionnaires already sent stay open.")
    return redirect("outcomes:schedules", schedule.program.code)


@require_GET
@login_required
def completion_rates(request: AuthedRequest, code: str) -> HttpResponse:
    program = get_program_for_director(request.user, code, completion_read=True).row
    period = request.GET.get("period", "12")
    if period not in PERIODS:
        period = "12"
    weeks = PERIODS[period]
    today = timezone.now().astimezone(get_zone(program.timezone)).date()
    since = today - timedelta(weeks=weeks) if weeks else None
    return render(
        request,
        "outcomes/schedules_completion.html",
        {
            "program": program,
            "period": period,
            "since": since,
            "totals": completion.program_totals(program, since=since),
            "participants": completion.by_participant(program, since=since),
            "groups": completion.by_group(program, since=since),
            "clinicians": completion.by_clinician(program, since=since),
        },
    )
