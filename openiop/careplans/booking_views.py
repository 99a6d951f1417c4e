"""The page that books an intervention's series from the plan (issue 9, build item 4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.views.decorators.http import require_http_methods

from openiop.accounts.http import AuthedRequest
from openiop.careplans import access, actions, booking
from openiop.careplans.booking_forms import InterventionBookingForm
from openiop.careplans.models import TreatmentPlan
from openiop.lib import recurrence
from openiop.scheduling.errors import SchedulingError


def plan_url(plan: TreatmentPlan) -> str:
    # The plan page arrives with the plan's own branch; until then, the chart.
    try:
        return plan.get_absolute_url()
    except NoReverseMatch:
        return plan.participant.get_absolute_url()


@require_http_methods(["GET", "POST"])
@login_required
def book_intervention(request: AuthedRequest, code: str) -> HttpResponse:
    intervention, _ = access.get_intervention_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    plan = intervention.plan
    problem = booking.refusal(intervention, plan)
    if request.method == "POST":
        form = InterventionBookingForm(request.POST)
        if form.is_valid():
            try:
                sessions = actions.book_intervention_series(
                    intervention,
                    first_day=form.cleaned_data["first_day"],
                    starts_at=form.cleaned_data["starts_at"],
                    acting_user=request.user,
                )
            except (SchedulingError, recurrence.RecurrenceError) as error:
                form.add_error(None, str(error))
            else:
                count = len(sessions)
                messages.success(
                    request,
                    f"Booked {count} session{'s' if count != 1 else ''} "
                    f"of {intervention.get_modality_display().lower()}.",
                )
                return redirect(plan_url(plan))
    else:
        suggestion = None
        if not problem and intervention.responsible_person_id is not None:
            windows = booking.availability({intervention.responsible_person_id})
            suggestion = booking.suggest(
                intervention, plan, windows=windows[intervention.responsible_person_id]
            )
        initial = (
            {"first_day": suggestion.first_day, "starts_at": suggestion.starts_at}
            if suggestion
            else {}
        )
        form = InterventionBookingForm(initial=initial)
    today = booking.program_today(plan)
    return render(
        request,
        "careplans/book_intervention.html",
        {
            "intervention": intervention,
            "plan": plan,
            "participant": plan.participant,
            "program": plan.participant.program,
            "form": form,
            "problem": problem,
            "until": booking.last_day(intervention, plan, today=today),
            "plan_url": plan_url(plan),
        },
        status=400 if form.is_bound else 200,
    )
