"""The program outcomes dashboard and its CSV (docs/outcomes.md): access → filters → figures."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.lib.dbrouter import replica_reads
from openiop.lib.recurrence import get_zone
from openiop.outcomes import dashboard as figures
from openiop.outcomes import dashboard_access as access
from openiop.outcomes.dashboard_csv import dashboard_csv
from openiop.outcomes.dashboard_forms import DashboardFilterForm, audit_details
from openiop.programs.models import Program


@require_GET
@login_required
def dashboards(request: AuthedRequest) -> HttpResponse:
    """A director of one program goes straight to its dashboard; administrators (who see
    every program) and directors of several get a list."""
    programs = list(access.dashboard_programs(request.user))
    if not programs:
        raise Http404
    if len(programs) == 1 and request.user.role == User.Role.PROGRAM_DIRECTOR:
        return redirect("outcomes:dashboard", programs[0].code)
    return render(request, "outcomes/dashboard_list.html", {"programs": programs})


def _figures(
    request: AuthedRequest, program: Program, *, export: bool
) -> tuple[DashboardFilterForm, figures.Dashboard]:
    now = timezone.now()
    options = figures.choices(program)
    form = DashboardFilterForm(
        request.GET or None,
        options=options,
        today=now.astimezone(get_zone(program.timezone)).date(),
    )
    chosen = form.filters()
    access.record_dashboard_read(request.user, program, audit_details(chosen), export=export)
    # Who may see the program was decided on the primary; the figures may come from the
    # replica (openiop/lib/dbrouter.py), which keeps whoever just saved on the primary.
    with replica_reads():
        return form, figures.dashboard(program, chosen, now=now, options=options)


@require_GET
@login_required
def dashboard(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program_for_dashboard(request.user, code)
    form, result = _figures(request, program, export=False)
    return render(
        request,
        "outcomes/dashboard.html",
        {
            "form": form,
            "result": result,
            "total": result.total,
            "query": request.GET.urlencode(),
            "breakdowns": [
                (name, figures.DIMENSION_LABELS[name], rows)
                for name, rows in result.breakdowns.items()
            ],
        },
    )


@require_GET
@login_required
def dashboard_export(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program_for_dashboard(request.user, code)
    _, result = _figures(request, program, export=True)
    response = HttpResponse(dashboard_csv(result), content_type="text/csv; charset=utf-8")
    name = f"outcomes-{result.filters.start.isoformat()}-to-{result.filters.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
