"""The on-call rota page of a program, for its directors: pattern, overrides, policy."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.programs.models import Program
from openiop.safety import coverage
from openiop.safety.access.rota import get_rota_for_director
from openiop.safety.actions import rota as actions_rota
from openiop.safety.forms.rota import OverrideForm, PolicyForm, ShiftForm
from openiop.safety.models import OnCallOverride, OnCallShift, SafetyPolicy
from openiop.safety.queries.rota import rota_page


def _policy(program: Program) -> SafetyPolicy:
    return SafetyPolicy.objects.filter(program=program).first() or SafetyPolicy(program=program)


def _render(
    request: AuthedRequest,
    program: Program,
    *,
    shift_form: Form | None = None,
    override_form: Form | None = None,
    policy_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "safety/rota.html",
        {
            "page": rota_page(program, now=timezone.now()),
            "program": program,
            "shift_form": shift_form or ShiftForm(program=program, prefix="shift"),
            "override_form": override_form or OverrideForm(program=program, prefix="override"),
            "policy_form": policy_form
            or PolicyForm(program=program, policy=_policy(program), prefix="policy"),
        },
        status=status,
    )


def _warn_about_coverage(request: AuthedRequest, program: Program) -> None:
    """After a change: say so when this week or next has a gap or an overlap."""
    now = timezone.now()
    soon = coverage.coverage_between(program, now, now + coverage.WEEK * 2)
    if soon.gaps:
        messages.warning(
            request,
            f"The rota now leaves {len(soon.gaps)} stretch(es) of the next two weeks with "
            "nobody on call. See “Gaps” below.",
        )
    if soon.overlaps:
        messages.warning(
            request,
            f"Two or more people are on call at once in {len(soon.overlaps)} stretch(es) of "
            "the next two weeks. This is allowed; see “Overlaps” below.",
        )


@require_GET
@login_required
def rota(request: AuthedRequest, program: str) -> HttpResponse:
    granted = get_rota_for_director(request.user, program)
    return _render(request, granted.row)


@require_POST
@login_required
def add_shift(request: AuthedRequest, program: str) -> HttpResponse:
    row = get_rota_for_director(request.user, program).row
    form = ShiftForm(request.POST, program=row, prefix="shift")
    if not form.is_valid():
        return _render(request, row, shift_form=form, status=400)
    data = form.cleaned_data
    try:
        actions_rota.add_shift(
            row,
            clinician=data["clinician"],
            weekday=data["weekday"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        form.add_error("clinician", exc)
        return _render(request, row, shift_form=form, status=400)
    messages.success(request, "Shift added to the weekly rota.")
    _warn_about_coverage(request, row)
    return redirect("safety:rota", row.code)


@require_POST
@login_required
def remove_shift(request: AuthedRequest, program: str, shift: int) -> HttpResponse:
    row = get_rota_for_director(request.user, program).row
    found = OnCallShift.objects.filter(program=row, pk=shift).select_related("clinician").first()
    if found is None:
        raise Http404
    actions_rota.remove_shift(found, acting_user=request.user)
    messages.success(request, "Shift removed from the weekly rota.")
    _warn_about_coverage(request, row)
    return redirect("safety:rota", row.code)


@require_POST
@login_required
def add_override(request: AuthedRequest, program: str) -> HttpResponse:
    row = get_rota_for_director(request.user, program).row
    form = OverrideForm(request.POST, program=row, prefix="override")
    if not form.is_valid():
        return _render(request, row, override_form=form, status=400)
    data = form.cleaned_data
    try:
        actions_rota.add_override(
            row,
            clinician=data["clinician"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render(request, row, override_form=form, status=400)
    messages.success(request, "Override added.")
    _warn_about_coverage(request, row)
    return redirect("safety:rota", row.code)


@require_POST
@login_required
def remove_override(request: AuthedRequest, program: str, override: int) -> HttpResponse:
    row = get_rota_for_director(request.user, program).row
    found = (
        OnCallOverride.objects.filter(program=row, pk=override).select_related("clinician").first()
    )
    if found is None:
        raise Http404
    actions_rota.remove_override(found, acting_user=request.user)
    messages.success(request, "Override removed.")
    _warn_about_coverage(request, row)
    return redirect("safety:rota", row.code)


@require_POST
@login_required
def policy(request: AuthedRequest, program: str) -> HttpResponse:
    row = get_rota_for_director(request.user, program).row
    form = PolicyForm(request.POST, program=row, policy=_policy(row), prefix="policy")
    if not form.is_valid():
        return _render(request, row, policy_form=form, status=400)
    try:
        actions_rota.save_policy(row, values=form.values(), acting_user=request.user)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _render(request, row, policy_form=form, status=400)
    messages.success(request, "Safety policy saved.")
    return redirect("safety:rota", row.code)
