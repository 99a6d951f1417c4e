"""`{% intervention_booking intervention plan as booking %}`: what the plan page's booking form
for one intervention needs (careplans/_intervention_booking.html).

Per plan page: one chart-access check and one availability query, however many interventions
the plan has (both are kept on the plan object for the page); per intervention already
booked, one query for its upcoming sessions.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import template
from django.template.context import Context

from openiop.careplans import booking
from openiop.careplans.booking_forms import InterventionBookingForm
from openiop.careplans.models import Intervention, TreatmentPlan
from openiop.lib.access import Access
from openiop.participants.access import participant_access

register = template.Library()


@dataclass
class BookingState:
    bookable: bool
    can_write: bool = False
    problem: str | None = None
    upcoming: int = 0
    form: InterventionBookingForm | None = None
    until: date | None = None


def _can_write(context: Context, plan: TreatmentPlan) -> bool:
    if not hasattr(plan, "_booking_can_write"):
        request = context.get("request")
        user = getattr(request, "user", None)
        plan._booking_can_write = bool(  # type: ignore[attr-defined]
            user is not None
            and user.is_authenticated
            and user.is_staff_member
            and participant_access(user, plan.participant) >= Access.WRITE
        )
    return bool(plan._booking_can_write)  # type: ignore[attr-defined]


def _windows(plan: TreatmentPlan, clinician_id: int) -> list[Any]:
    if not hasattr(plan, "_booking_windows"):
        ids = {
            i.responsible_person_id
            for i in plan.interventions.all()
            if i.responsible_person_id is not None and booking.is_bookable(i)
        }
        plan._booking_windows = booking.availability(ids)  # type: ignore[attr-defined]
    return list(plan._booking_windows.get(clinician_id, []))  # type: ignore[attr-defined]


@register.simple_tag(takes_context=True)
def intervention_booking(
    context: Context, intervention: Intervention, plan: TreatmentPlan
) -> BookingState:
    if not booking.is_bookable(intervention):
        return BookingState(bookable=False)
    state = BookingState(bookable=True, can_write=_can_write(context, plan))
    upcoming = booking.upcoming_codes(intervention)
    state.upcoming = len(upcoming)
    state.problem = booking.refusal(intervention, plan, upcoming=upcoming)
    if not state.can_write or state.problem:
        return state
    assert intervention.responsible_person_id is not None
    suggestion = booking.suggest(
        intervention, plan, windows=_windows(plan, intervention.responsible_person_id)
    )
    initial = (
        {"first_day": suggestion.first_day, "starts_at": suggestion.starts_at} if suggestion else {}
    )
    state.form = InterventionBookingForm(initial=initial, auto_id=f"book-{intervention.code}-%s")
    state.until = booking.last_day(intervention, plan, today=booking.program_today(plan))
    return state
