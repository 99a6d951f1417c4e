"""The treatment plan's pages: a participant's plans, the plan, its draft's editors, its PDF.

These are staff pages: a participant asking for one gets 404, as for any page that is not
theirs (they read and sign their plan on the signing pages, in plain language). The one
exception is the PDF: a participant downloads a copy of their own plan once it is theirs to
sign or in effect.
"""

import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.careplans import access, actions
from openiop.careplans.forms.plans import (
    GoalForm,
    InterventionForm,
    ObjectiveForm,
    PlanEditForm,
    PlanForm,
    ProblemForm,
    initial_for,
)
from openiop.careplans.models import TreatmentPlan
from openiop.careplans.outline import plan_outline
from openiop.lib.pdf import render_pdf
from openiop.lib.timefmt import format_date
from openiop.participants.access import get_participant_for_user

ITEM_FORMS: dict[str, type[PlanEditForm]] = {
    "problem": ProblemForm,
    "goal": GoalForm,
    "objective": ObjectiveForm,
    "intervention": InterventionForm,
}
# The field that names an item's parent, and the kind of that parent, for "add a goal to this
# problem" links (`?within=<code>`).
PARENTS = {"goal": ("problem", "problem"), "objective": ("goal", "goal")}
ARTICLES = {"problem": "a", "goal": "a", "objective": "an", "intervention": "an"}
REMOVE_STALE = (
    "Someone else saved this plan after you opened it, so nothing was removed. Check the plan "
    "as it is now and try again."
)


def _staff_only(user: User) -> None:
    if not user.is_staff_member:
        raise Http404


@require_GET
@login_required
def plans(request: AuthedRequest, code: str) -> HttpResponse:
    """A participant's plans, newest first, and the way to start the first one."""
    _staff_only(request.user)
    granted = get_participant_for_user(request.user, code)
    participant = granted.row
    versions = list(
        TreatmentPlan.objects.filter(participant=participant)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )
    open_plan = next((p for p in versions if p.status in actions.OPEN_STATUSES), None)
    in_effect = next((p for p in versions if p.status == TreatmentPlan.Status.ACTIVE), None)
    return render(
        request,
        "careplans/plan_list.html",
        {
            "participant": participant,
            "versions": versions,
            "open_plan": open_plan,
            "in_effect": in_effect,
            "can_start": granted.can_write and open_plan is None and in_effect is None,
        },
    )


@require_POST
@login_required
def plan_new(request: AuthedRequest, code: str) -> HttpResponse:
    _staff_only(request.user)
    participant = get_participant_for_user(request.user, code, write=True).row
    try:
        plan = actions.start_plan(participant, acting_user=request.user)
    except actions.PlanExists as exc:
        messages.error(request, str(exc))
        return redirect(exc.plan)
    except actions.PlanError as exc:
        messages.error(request, str(exc))
        return redirect("careplans:plans", participant.code)
    messages.success(
        request,
        "A draft plan was started from the intake assessment. Go through each part with the "
        "participant: goals, objectives with target dates, and interventions.",
    )
    return redirect(plan)


@require_GET
@login_required
def plan(request: AuthedRequest, code: str) -> HttpResponse:
    _staff_only(request.user)
    granted = access.get_plan_for_user(request.user, code)
    plan = granted.row
    return render(
        request,
        "careplans/plan.html",
        {
            "plan": plan,
            "participant": plan.participant,
            "outline": plan_outline(plan, with_notes=True),
            "can_write": granted.can_write,
            "can_edit": granted.can_write and plan.is_editable,
            "zone": request.viewer_zone,  # type: ignore[attr-defined]
        },
    )


def _not_editable(request: AuthedRequest, plan: TreatmentPlan) -> HttpResponse:
    messages.error(
        request,
        f"This plan is {plan.get_status_display().lower()}: it can no longer be changed. "
        "Changes go into a review, which makes a new version.",
    )
    return redirect(plan)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return format_date(value, "plain")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _saved_now(form: PlanEditForm, instance: Any) -> list[tuple[str, str]]:
    """What the other person saved, field by field, to compare with what was typed."""
    values = initial_for(instance, type(form))
    return [(str(form.fields[name].label or name), _shown(v)) for name, v in values.items()]


def _edit_page(
    request: AuthedRequest,
    plan: TreatmentPlan,
    form: PlanEditForm,
    *,
    heading: str,
    done: str,
    save: Callable[[PlanEditForm], Any],
    saved: Callable[[], Any],
    anchor: str,
    item: Any = None,
    kind: str = "",
) -> HttpResponse:
    """Show the form; on POST save it, or show why not with everything typed kept."""
    status = 200
    saved_now: list[tuple[str, str]] = []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = save(form)
            except actions.PlanNotEditable:
                return _not_editable(request, plan)
            except actions.StalePlan as exc:
                status = 409
                form.add_error(None, str(exc))
                form.take_current_version(exc.current_version)
                current = saved()
                if current is not None:
                    saved_now = _saved_now(form, current)
            except actions.PlanError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, done)
                anchor = anchor or f"{kind}-{result.code}"
                return redirect(f"{plan.get_absolute_url()}#{anchor}")
    return render(
        request,
        "careplans/plan_form.html",
        {
            "plan": plan,
            "participant": plan.participant,
            "form": form,
            "heading": heading,
            "item": item,
            "kind": kind,
            "saved_now": saved_now,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def plan_edit(request: AuthedRequest, code: str) -> HttpResponse:
    """The plan's own fields: strengths, preferences, barriers, discharge."""
    _staff_only(request.user)
    plan = access.get_plan_for_user(
        request.user, code, write=True, read=request.method == "GET"
    ).row
    if not plan.is_editable:
        return _not_editable(request, plan)
    if request.method == "POST":
        form = PlanForm(request.POST, plan=plan)
    else:
        form = PlanForm(
            initial={**initial_for(plan, PlanForm), "edit_version": plan.edit_version}, plan=plan
        )

    def save(form: PlanEditForm) -> TreatmentPlan:
        return actions.update_plan(
            plan,
            fields=form.item_fields(),
            edit_version=form.cleaned_data["edit_version"],
            acting_user=request.user,
        )

    return _edit_page(
        request,
        plan,
        form,
        heading="Strengths, preferences, barriers and discharge",
        done="Plan saved.",
        save=save,
        saved=lambda: TreatmentPlan.objects.get(pk=plan.pk),
        anchor="plan-details",
    )


def _save_item(kind: str, plan: TreatmentPlan, item: Any, form: PlanEditForm, user: User) -> Any:
    data = form.cleaned_data
    common = {
        "fields": form.item_fields(),
        "edit_version": data["edit_version"],
        "acting_user": user,
    }
    if kind == "problem":
        return actions.save_problem(plan, item, diagnoses=data["diagnoses"], **common)
    if kind == "goal":
        return actions.save_goal(plan, item, problem=data["problem"], **common)
    if kind == "objective":
        return actions.save_objective(plan, item, goal=data["goal"], **common)
    return actions.save_intervention(plan, item, objectives=data["objectives"], **common)


def _form_options(kind: str, item: Any) -> dict[str, Any]:
    if kind == "problem":
        return {"problem": item}
    if kind == "objective":
        return {"objective": item}
    return {}


def _item_page(request: AuthedRequest, code: str, kind: str, item_code: str | None) -> HttpResponse:
    _staff_only(request.user)
    plan = access.get_plan_for_user(
        request.user, code, write=True, read=request.method == "GET"
    ).row
    form_class = ITEM_FORMS[kind]
    item = None
    if item_code:
        try:
            item = access.get_plan_item(plan, kind, item_code)
        except Http404:
            if request.method != "POST" or not plan.is_editable:
                raise
            return _removed_meanwhile(request, plan, form_class(request.POST, plan=plan), kind)
    if not plan.is_editable:
        return _not_editable(request, plan)
    options = {"plan": plan, **_form_options(kind, item)}
    if request.method == "POST":
        form = form_class(request.POST, **options)
    else:
        initial: dict[str, Any] = {"edit_version": plan.edit_version}
        if item is not None:
            initial.update(initial_for(item, form_class))
        elif kind in PARENTS and request.GET.get("within"):
            field, parent_kind = PARENTS[kind]
            with contextlib.suppress(Http404):
                initial[field] = access.get_plan_item(plan, parent_kind, request.GET["within"])
        form = form_class(initial=initial, **options)
    model = access.PLAN_ITEMS[kind][0]
    return _edit_page(
        request,
        plan,
        form,
        heading=f"Change the {kind}" if item else f"Add {ARTICLES[kind]} {kind}",
        done=f"The {kind} was {'saved' if item else 'added'}.",
        save=lambda form: _save_item(kind, plan, item, form, request.user),
        saved=lambda: model._default_manager.filter(pk=item.pk).first() if item else None,
        anchor="",
        item=item,
        kind=kind,
    )


def _removed_meanwhile(
    request: AuthedRequest, plan: TreatmentPlan, form: PlanEditForm, kind: str
) -> HttpResponse:
    """Someone removed the item while this person edited it: show their text, save nothing."""
    form.is_valid()
    form.add_error(
        None,
        f"Someone else removed this {kind} from the plan while you were editing it, so it was "
        "not saved. Your text is below: copy what you need, then add it again.",
    )
    context = {"plan": plan, "participant": plan.participant, "form": form, "kind": kind}
    return render(
        request,
        "careplans/plan_form.html",
        {**context, "heading": f"Change the {kind}", "item": None, "saved_now": []},
        status=409,
    )


@require_http_methods(["GET", "POST"])
@login_required
def item_new(request: AuthedRequest, code: str, kind: str) -> HttpResponse:
    return _item_page(request, code, kind, None)


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request: AuthedRequest, code: str, kind: str, item: str) -> HttpResponse:
    return _item_page(request, code, kind, item)


@require_POST
@login_required
def item_remove(request: AuthedRequest, code: str, kind: str, item: str) -> HttpResponse:
    _staff_only(request.user)
    plan = access.get_plan_for_user(request.user, code, write=True).row
    row = access.get_plan_item(plan, kind, item)
    if not plan.is_editable:
        return _not_editable(request, plan)
    try:
        version = int(request.POST.get("edit_version", ""))
    except ValueError:
        version = -1
    try:
        actions.remove_plan_item(plan, row, edit_version=version, acting_user=request.user)
    except actions.StalePlan:
        messages.error(request, REMOVE_STALE)
    except actions.PlanError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The {kind} was removed.")
    return redirect(plan)


@require_GET
@login_required
def plan_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    """The whole plan with its signatures, as a PDF to keep (never cached)."""
    plan = access.get_plan_copy_for_user(request.user, code).row
    pdf = render_pdf(
        "careplans/plan_pdf.html",
        {
            "plan": plan,
            "participant": plan.participant,
            "outline": plan_outline(plan),
            "zone": request.viewer_zone,  # type: ignore[attr-defined]
            "printed_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="treatment-plan-v{plan.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
