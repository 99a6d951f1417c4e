"""The brief safety assessment's pages: start it from an alert or from the chart, write it with
autosave (static/js/autosave.js, the notes' protocol), sign it, read it. (The alert page's
assessment panel is openiop/safety/panels/assessment.py.)"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.lib.access import Access
from openiop.lib.timefmt import format_datetime
from openiop.participants.zones import viewer_zone
from openiop.safety import hooks, hooks_assessment
from openiop.safety.access import assessment as gate
from openiop.safety.actions import assessment as actions
from openiop.safety.forms.assessment import AssessmentForm
from openiop.safety.models import SafetyAssessment

# --- Starting ------------------------------------------------------------------------------


def _opened(assessment: SafetyAssessment, created: bool, request: AuthedRequest) -> HttpResponse:
    if not created:
        messages.info(request, "You already had a draft: here it is.")
    return redirect("safety:assessment_edit", assessment.code)


@require_POST
@login_required
def start_from_alert(request: AuthedRequest, code: str) -> HttpResponse:
    alert, _ = gate.get_alert_to_assess(request.user, code)
    try:
        assessment, created = actions.start_assessment(
            alert.participant, alert=alert, acting_user=request.user
        )
    except actions.AssessmentError as exc:
        raise PermissionDenied(str(exc)) from exc
    return _opened(assessment, created, request)


@require_POST
@login_required
def start_from_chart(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = gate.get_chart_to_assess(request.user, code)
    try:
        assessment, created = actions.start_assessment(participant, acting_user=request.user)
    except actions.AssessmentError as exc:
        raise PermissionDenied(str(exc)) from exc
    return _opened(assessment, created, request)


@require_GET
@login_required
def chart_assessments(request: AuthedRequest, code: str) -> HttpResponse:
    participant, access = gate.get_chart_assessments(request.user, code)
    return render(
        request,
        "safety/assessment_list.html",
        {
            "participant": participant,
            "assessments": SafetyAssessment.objects.filter(participant=participant)
            .select_related("author", "alert")
            .order_by("-started_at", "-id"),
            "may_start": access >= Access.WRITE and gate.may_author(request.user),
        },
    )


# --- Writing -------------------------------------------------------------------------------


def _form(assessment: SafetyAssessment, data: Any = None) -> AssessmentForm:
    instruments = hooks_assessment.risk_instruments(assessment.participant)
    if data is None:
        initial = AssessmentForm.initial_for(assessment)
        return AssessmentForm(initial=initial, instruments=instruments)
    return AssessmentForm(data, instruments=instruments)


def _render_edit(
    request: AuthedRequest,
    assessment: SafetyAssessment,
    form: AssessmentForm,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    with timezone.override(viewer_zone(request.user)):
        return render(
            request,
            "safety/assessment_edit.html",
            {
                "assessment": assessment,
                "participant": assessment.participant,
                "form": form,
                "instruments": form.instruments,
                "login_url": f"{reverse(settings.LOGIN_URL)}?next={request.path}",
                "text_limit": f"{actions.ASSESSMENT_TEXT_LIMIT:,}",
                **extra,
            },
            status=status,
        )


def _locked(request: AuthedRequest, assessment: SafetyAssessment) -> HttpResponse:
    messages.info(request, str(actions.AssessmentLocked()))
    return redirect(assessment)


def _save(
    request: AuthedRequest, assessment: SafetyAssessment, *, signing: bool
) -> HttpResponse | None:
    """Validate and save the posted draft; a response when the page must come back."""
    form = _form(assessment, request.POST)
    if not form.is_valid():
        return _render_edit(request, assessment, form, status=400, signing=signing)
    try:
        actions.save_draft(
            assessment,
            values=form.values(),
            expected_version=form.cleaned_data["edit_version"],
            acting_user=request.user,
        )
    except actions.AssessmentLocked:
        return _locked(request, assessment)
    except actions.AssessmentConflict as exc:
        return _render_edit(request, assessment, form, status=409, conflict=str(exc))
    except actions.AssessmentError as exc:
        form.add_error(None, str(exc))
        return _render_edit(request, assessment, form, status=400, signing=signing)
    return None


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: AuthedRequest, code: str) -> HttpResponse:
    """The draft, for its author: "Save draft" here, "Sign" posts to `sign`."""
    assessment, _ = gate.get_assessment_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    if assessment.is_signed:
        return _locked(request, assessment)
    if request.method == "GET":
        return _render_edit(request, assessment, _form(assessment))
    problem = _save(request, assessment, signing=False)
    if problem is not None:
        return problem
    messages.success(request, "Draft saved.")
    return redirect("safety:assessment_edit", assessment.code)


@require_POST
@login_required
def sign(request: AuthedRequest, code: str) -> HttpResponse:
    """Save what the form holds, then sign it; what is missing comes back on the form."""
    assessment, _ = gate.get_assessment_for_user(request.user, code, write=True)
    if assessment.is_signed:
        return _locked(request, assessment)
    problem = _save(request, assessment, signing=True)
    if problem is not None:
        return problem
    try:
        actions.sign_assessment(
            assessment, expected_version=assessment.version, acting_user=request.user
        )
    except actions.AssessmentIncomplete as exc:
        data = request.POST.copy()
        data["edit_version"] = str(assessment.version)
        form = _form(assessment, data)
        form.is_valid()
        for field, message in exc.missing:
            form.add_error(field if field in form.fields else None, message)
        return _render_edit(request, assessment, form, status=400, signing=True)
    except actions.AssessmentLocked:
        return _locked(request, assessment)
    except actions.AssessmentError as exc:
        messages.error(request, str(exc))
        return redirect("safety:assessment_edit", assessment.code)
    messages.success(request, "Assessment signed. It is now read-only.")
    return redirect(assessment)


def _json_error(error: str, message: str, status: int, **extra: Any) -> JsonResponse:
    body = {"saved": False, "error": error, "message": message, **extra}
    return JsonResponse(body, status=status)


def _form_message(form: AssessmentForm) -> str:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.append(f"{label}: {errors[0]}" if label else str(errors[0]))
    return "Not saved. " + " ".join(problems)


@require_POST
def autosave(request: AuthedRequest, code: str) -> JsonResponse:
    """The page's autosave: JSON for every outcome, never a redirect (static/js/autosave.js)."""
    if not request.user.is_authenticated:
        return _json_error(
            "signed_out",
            "You were signed out. Your text is kept on this device; sign in again to save it.",
            401,
            login_url=reverse(settings.LOGIN_URL),
        )
    try:
        assessment, _ = gate.get_assessment_for_user(request.user, code, write=True)
    except Http404:
        return _json_error("not_found", "This assessment was not found.", 404)
    except PermissionDenied:
        return _json_error("forbidden", "You cannot change this assessment.", 403)
    if assessment.is_signed:
        return _json_error("signed", str(actions.AssessmentLocked()), 409)
    form = _form(assessment, request.POST)
    if not form.is_valid():
        return _json_error("invalid", _form_message(form), 400, errors=form.errors)
    try:
        changed = actions.save_draft(
            assessment,
            values=form.values(),
            expected_version=form.cleaned_data["edit_version"],
            acting_user=request.user,
            automatic=True,
        )
    except actions.AssessmentLocked as exc:
        return _json_error("signed", str(exc), 409)
    except actions.AssessmentConflict as exc:
        return _json_error("conflict", str(exc), 409, edit_version=exc.current_version)
    except actions.AssessmentError as exc:
        return _json_error("invalid", f"Not saved. {exc}", 400)
    return JsonResponse(
        {
            "saved": True,
            "changed": bool(changed),
            "edit_version": assessment.version,
            "saved_at": format_datetime(timezone.now(), viewer_zone(request.user), "time"),
        }
    )


# --- Reading -------------------------------------------------------------------------------


@require_GET
@login_required
def assessment_detail(request: AuthedRequest, code: str) -> HttpResponse:
    assessment, _ = gate.get_assessment_for_user(request.user, code)
    urgent = assessment.is_signed and assessment.disposition in actions.URGENT_DISPOSITIONS
    return render(
        request,
        "safety/assessment.html",
        {
            "assessment": assessment,
            "participant": assessment.participant,
            "is_author": assessment.author_id == request.user.pk,
            "signature_ok": actions.signature_matches(assessment) if assessment.is_signed else None,
            "urgent": urgent,
            "location": hooks.last_location(assessment.participant) if urgent else None,
            "fingerprint": " ".join(
                assessment.content_hash[i : i + 8]
                for i in range(0, len(assessment.content_hash), 8)
            ),
        },
    )
