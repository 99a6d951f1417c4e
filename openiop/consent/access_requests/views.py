from datetime import date
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.consent.access_requests import access, actions
from openiop.consent.access_requests.forms import DenyForm, ExtendForm, NewRequestForm
from openiop.consent.models import AccessRequest


@require_GET
@login_required
def request_list(request: AuthedRequest) -> HttpResponse:
    """Open requests of the programs the user handles, soonest deadline first."""
    rows = list(
        access.open_first(access.requests_for_user(request.user)).select_related(
            "participant__program", "handled_by"
        )
    )
    now = timezone.now()
    todays: dict[str, date] = {}
    for row in rows:
        zone = actions.program_zone(row.participant)
        if zone not in todays:
            todays[zone] = timezone.localdate(now, ZoneInfo(zone))
        row.left = row.days_left(todays[zone])  # type: ignore[attr-defined]
    return render(request, "consent/access_requests/list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
def new_request(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_participant_for_new_request(request.user, code)
    today = actions.program_today(participant)
    form = NewRequestForm(
        request.POST if request.method == "POST" else None,
        today=today,
        initial={
            "received_on": today,
            "format": AccessRequest.Format.PDF,
            "delivery": AccessRequest.Delivery.SECURE_EMAIL,
        },
    )
    if request.method == "POST" and form.is_valid():
        created = actions.create_request(participant, acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Request logged.")
        return redirect("access_requests:detail", created.code)
    return render(
        request,
        "consent/access_requests/new.html",
        {"participant": participant, "form": form},
        status=400 if form.errors else 200,
    )


def _detail(
    request: AuthedRequest,
    access_request: AccessRequest,
    *,
    extend_form: ExtendForm | None = None,
    deny_form: DenyForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    today = actions.program_today(access_request.participant)
    return render(
        request,
        "consent/access_requests/detail.html",
        {
            "item": access_request,
            "participant": access_request.participant,
            "days_left": access_request.days_left(today),
            "extend_form": extend_form or ExtendForm(),
            "deny_form": deny_form or DenyForm(),
            "error": error,
        },
        status=status,
    )


@require_GET
@login_required
def request_detail(request: AuthedRequest, code: str) -> HttpResponse:
    return _detail(request, access.get_request_for_user(request.user, code, read=True))


def _step(request: AuthedRequest, code: str, step, done: str, **kwargs) -> HttpResponse:  # type: ignore[no-untyped-def]
    access_request = access.get_request_for_user(request.user, code)
    try:
        step(access_request, acting_user=request.user, **kwargs)
    except actions.InvalidTransition as exc:
        return _detail(request, access_request, error=str(exc), status=409)
    messages.success(request, done)
    return redirect("access_requests:detail", access_request.code)


@require_POST
@login_required
def start(request: AuthedRequest, code: str) -> HttpResponse:
    return _step(request, code, actions.start, "Marked as in progress.")


@require_POST
@login_required
def withdraw(request: AuthedRequest, code: str) -> HttpResponse:
    return _step(request, code, actions.withdraw, "Marked as withdrawn.")


@require_POST
@login_required
def deliver(request: AuthedRequest, code: str) -> HttpResponse:
    return _step(
        request,
        code,
        actions.record_delivery,
        "Delivery recorded in the accounting of disclosures.",
    )


@require_POST
@login_required
def extend(request: AuthedRequest, code: str) -> HttpResponse:
    access_request = access.get_request_for_user(request.user, code)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _detail(request, access_request, extend_form=form, status=400)
    return _step(request, code, actions.extend, "Deadline extended.", **form.cleaned_data)


@require_POST
@login_required
def deny(request: AuthedRequest, code: str) -> HttpResponse:
    access_request = access.get_request_for_user(request.user, code)
    form = DenyForm(request.POST)
    if not form.is_valid():
        return _detail(request, access_request, deny_form=form, status=400)
    return _step(request, code, actions.deny, "Marked as denied.", **form.cleaned_data)
