"""Safety plan pages: the care team's (from the chart or an alert) and the participant's own.

Thin views: gate (access/plan.py) → form (forms/plan.py) → action (actions/plan.py) → respond.
"""

from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.lib.pdf import render_pdf
from openiop.participants.zones import viewer_zone
from openiop.safety import queries
from openiop.safety.access import plan as access_plan
from openiop.safety.actions import plan as actions_plan
from openiop.safety.actions.plan import PlanContent, PlanError
from openiop.safety.forms.plan import (
    STEP_HINTS,
    PlanDraftForm,
    PlanReviewForm,
    apply_op,
)
from openiop.safety.models import SafetyPlan, SafetyPlanEntry

WORKER = Path(settings.BASE_DIR) / "static" / "js" / "sw-safety-plan.js"


def _alert_code(request: HttpRequest) -> str:
    return str(request.POST.get("alert") or request.GET.get("alert") or "")[:64]


def _with_alert(url: str, scope: access_plan.PlanScope, anchor: str = "") -> str:
    if scope.alert is not None:
        url = f"{url}?{urlencode({'alert': scope.alert_code})}"
    return f"{url}#{anchor}" if anchor else url


def plan_steps(plan: SafetyPlan) -> list[dict[str, object]]:
    """A signed version's lines grouped by step, for reading and printing."""
    entries = list(plan.entries.all())
    return [
        {
            "number": step.value,
            "label": step.label,
            "hint": STEP_HINTS[step],
            "lines": [e for e in entries if e.step == step.value],
        }
        for step in SafetyPlanEntry.Step
    ]


def _plan_context(plan: SafetyPlan) -> dict[str, object]:
    return {
        "plan": plan,
        "steps": plan_steps(plan),
        "means_actions": list(plan.means_actions.all()),
    }


# --- care team ----------------------------------------------------------------------------


@require_GET
@login_required
def participant_plans(request: AuthedRequest, code: str) -> HttpResponse:
    """The chart's plan in use, its draft, earlier versions and reviews."""
    scope = access_plan.get_participant_plans(request.user, code, alert_code=_alert_code(request))
    participant = scope.participant
    versions = list(
        SafetyPlan.objects.filter(participant=participant).select_related("signed_by", "created_by")
    )
    active = queries.active_plan(participant)
    draft = next((v for v in versions if v.is_draft), None)
    reviews = []
    if active is not None:
        reviews = list(active.reviews.select_related("reviewed_by"))
    return render(
        request,
        "safety/plans.html",
        {
            "participant": participant,
            "scope": scope,
            "active": active,
            "draft": draft,
            "versions": versions,
            "reviews": reviews,
            "review_form": PlanReviewForm(),
            **(_plan_context(active) if active is not None else {}),
        },
    )


@require_POST
@login_required
def plan_start(request: AuthedRequest, code: str) -> HttpResponse:
    scope = access_plan.get_participant_plans(
        request.user, code, alert_code=_alert_code(request), write=True
    )
    try:
        draft = actions_plan.start_draft(
            scope.participant, acting_user=request.user, alert=scope.alert
        )
    except PlanError as exc:
        messages.error(request, str(exc))
        return redirect(_with_alert(reverse("safety:participant_plans", args=[code]), scope))
    return redirect(_with_alert(draft.get_absolute_url(), scope))


def _render_editor(
    request: AuthedRequest,
    plan: SafetyPlan,
    scope: access_plan.PlanScope,
    form: PlanDraftForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "safety/plan_edit.html",
        {"plan": plan, "participant": plan.participant, "scope": scope, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan(request: AuthedRequest, code: str) -> HttpResponse:
    """A version: the editor for a draft (to those who may write), otherwise read-only."""
    writing = request.method == "POST"
    plan, scope = access_plan.get_plan_for_user(
        request.user, code, alert_code=_alert_code(request), write=writing, read=not writing
    )
    if not writing:
        if plan.is_draft and scope.can_write:
            content = PlanContent.of(plan)
            return _render_editor(request, plan, scope, PlanDraftForm(content=content))
        return render(
            request,
            "safety/plan.html",
            {"participant": plan.participant, "scope": scope, **_plan_context(plan)},
        )
    if not plan.is_draft:
        messages.error(request, "This version is signed already; start a new version to change it.")
        return redirect(_with_alert(plan.get_absolute_url(), scope))
    form = PlanDraftForm(request.POST)
    if not form.is_valid():
        return _render_editor(request, plan, scope, form, status=400)
    content = form.content()
    op = form.op()
    if op.name == "sign":
        try:
            actions_plan.sign_plan(
                plan, content=content, acting_user=request.user, alert=scope.alert
            )
        except PlanError as exc:
            form.add_error(None, str(exc))
            return _render_editor(request, plan, scope, form, status=400)
        messages.success(request, f"Safety plan version {plan.version} signed and in use.")
        if scope.alert is not None:
            return redirect(scope.alert)
        return redirect(_with_alert(plan.get_absolute_url(), scope))
    anchor = apply_op(content, op)
    actions_plan.save_draft(plan, content=content, acting_user=request.user)
    if op.name == "save":
        messages.success(request, "Draft saved.")
    return redirect(_with_alert(plan.get_absolute_url(), scope, anchor))


@require_POST
@login_required
def plan_review(request: AuthedRequest, code: str) -> HttpResponse:
    """Record a review of the plan in use (from the plans page or the alert's panel)."""
    plan, scope = access_plan.get_plan_for_user(
        request.user, code, alert_code=_alert_code(request), write=True
    )
    form = PlanReviewForm(request.POST)
    back = (
        scope.alert.get_absolute_url()
        if scope.alert is not None
        else reverse("safety:participant_plans", args=[plan.participant.code])
    )
    if not form.is_valid():
        versions = list(SafetyPlan.objects.filter(participant=plan.participant))
        return render(
            request,
            "safety/plans.html",
            {
                "participant": plan.participant,
                "scope": scope,
                "active": plan if plan.status == SafetyPlan.Status.ACTIVE else None,
                "draft": next((v for v in versions if v.is_draft), None),
                "versions": versions,
                "reviews": list(plan.reviews.select_related("reviewed_by")),
                "review_form": form,
                **_plan_context(plan),
            },
            status=400,
        )
    try:
        _, draft = actions_plan.review_plan(
            plan,
            reason=form.cleaned_data["reason"],
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
            next_review_on=form.cleaned_data["next_review_on"],
            acting_user=request.user,
            alert=scope.alert,
        )
    except PlanError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if draft is not None:
        messages.success(request, "Review recorded. Revise the new version below, then sign it.")
        return redirect(_with_alert(draft.get_absolute_url(), scope))
    messages.success(request, "Review recorded: the plan still fits.")
    return redirect(back)


def _pdf_response(plan: SafetyPlan, zone: str, filename: str) -> HttpResponse:
    pdf = render_pdf(
        "safety/plan_pdf.html",
        {
            **_plan_context(plan),
            "participant": plan.participant,
            "zone": zone,
            "printed_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def plan_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    """A signed version as a PDF, to print and hand to the participant."""
    plan, _ = access_plan.get_plan_for_user(
        request.user, code, alert_code=_alert_code(request), read=False
    )
    if plan.is_draft:
        messages.error(request, "Sign the plan before printing it.")
        return redirect(plan)
    access_plan.record_export(request.user, plan)
    return _pdf_response(plan, viewer_zone(request.user), f"safety-plan-v{plan.version}.pdf")


# --- the participant ----------------------------------------------------------------------


@require_GET
@login_required
def my_plan(request: AuthedRequest) -> HttpResponse:
    """The participant's plan in use; a service worker keeps a copy for reading offline."""
    participant, plan = access_plan.own_plan(request.user)
    return render(
        request,
        "safety/my_plan.html",
        {
            "participant": participant,
            "needs_acknowledgement": plan is not None and plan.participant_acknowledged_at is None,
            **(_plan_context(plan) if plan is not None else {"plan": None}),
        },
    )


@require_POST
@login_required
def my_plan_acknowledge(request: AuthedRequest) -> HttpResponse:
    _, plan = access_plan.own_plan(request.user)
    if plan is None:
        messages.info(
            request, gettext("Your care team has not written a safety plan with you yet.")
        )
        return redirect("safety:my_plan")
    try:
        actions_plan.acknowledge_plan(plan, acting_user=request.user)
    except PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, gettext("Thank you. Your care team can see that you have read it.")
        )
    return redirect("safety:my_plan")


@require_GET
@login_required
def my_plan_pdf(request: AuthedRequest) -> HttpResponse:
    _, plan = access_plan.own_plan(request.user)
    if plan is None:
        messages.info(
            request, gettext("Your care team has not written a safety plan with you yet.")
        )
        return redirect("safety:my_plan")
    return _pdf_response(plan, viewer_zone(request.user), "my-safety-plan.pdf")


@require_GET
def my_plan_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from inside /safety/my-plan/ so its scope covers the page
    (a worker controls only pages under its own path). It holds no data: public."""
    response = HttpResponse(WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
