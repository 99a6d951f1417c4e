"""Signing, reviews and versions of treatment plans: the staff pages and the participant's.

Staff sign on `sign` (the plan read-only, then one form per role the viewer may sign); the
participant reads and signs a plain-language page of their own (`my_plan`). Every write
redirects to the sign page, which shows who has signed and who still has to.
"""

import uuid
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.careplans import actions
from openiop.careplans.access import get_plan_for_user
from openiop.careplans.content import load_content, plan_hash, with_content
from openiop.careplans.content import plan_diff as build_diff
from openiop.careplans.models import PlanSignature, TreatmentPlan
from openiop.careplans.signatures import SigningError, signing_panel
from openiop.careplans.signing_forms import ParticipantSignForm, SignForm, StartReviewForm
from openiop.participants.access import own_chart
from openiop.participants.models import Participant

Role = PlanSignature.Role
Status = TreatmentPlan.Status
STAFF_ROLES = (Role.PRIMARY_CLINICIAN, Role.PHYSICIAN)


def _staff_only(user: User) -> None:
    """The participant reads and signs their plan on their own page (`my_plan`)."""
    if not user.is_staff_member:
        raise Http404


def _minimum_hours(plan: TreatmentPlan) -> Decimal | None:
    program = plan.participant.program
    return program.weekly_minimum_hours if program else None


def _sign_page(
    request: AuthedRequest,
    plan: TreatmentPlan,
    *,
    bound: SignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    panel = signing_panel(plan, request.user)
    forms = []
    for role in panel.sign_roles:
        if bound is not None and bound.role == role:
            forms.append(bound)
        else:
            forms.append(
                SignForm(
                    role=role,
                    minimum_hours=_minimum_hours(plan),
                    initial={"signed_hash": panel.current_hash},
                )
            )
    return render(
        request,
        "careplans/sign.html",
        {"plan": plan, "panel": panel, "forms": forms, "form": bound},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def sign(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    _staff_only(request.user)
    writing = request.method == "POST"
    plan, _ = get_plan_for_user(request.user, code, write=writing, read=not writing)
    if not writing:
        return _sign_page(request, plan)
    role = request.POST.get("role", "")
    if role not in STAFF_ROLES:
        messages.error(request, "Choose how you are signing.")
        return redirect("careplans:sign", plan.code)
    form = SignForm(request.POST, role=role, minimum_hours=_minimum_hours(plan))
    if not form.is_valid():
        return _sign_page(request, plan, bound=form, status=400)
    try:
        actions.sign_plan(
            plan,
            role=role,
            typed_name=form.cleaned_data["typed_name"],
            signed_hash=form.cleaned_data["signed_hash"],
            certified_weekly_hours=form.cleaned_data.get("certified_weekly_hours"),
            acting_user=request.user,
        )
    except SigningError as error:
        for message in error.messages:
            form.add_error(None, message)
        plan.refresh_from_db()
        return _sign_page(request, plan, bound=form, status=400)
    plan.refresh_from_db()
    done = " The plan is now in effect." if plan.status == Status.ACTIVE else ""
    messages.success(request, f"You signed the plan as {Role(role).label.lower()}.{done}")
    return redirect("careplans:sign", plan.code)


@require_POST
@login_required
def submit(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    _staff_only(request.user)
    plan, _ = get_plan_for_user(request.user, code, write=True)
    try:
        actions.submit_for_signatures(plan, acting_user=request.user)
    except SigningError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The plan is locked and waiting for its signatures.")
    return redirect("careplans:sign", plan.code)


@require_POST
@login_required
def return_to_draft(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    _staff_only(request.user)
    plan, _ = get_plan_for_user(request.user, code, write=True)
    try:
        actions.return_to_draft(plan, acting_user=request.user)
    except SigningError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "The plan is a draft again. Any signatures it had are void: everyone signs the "
            "edited plan.",
        )
    return redirect("careplans:sign", plan.code)


@require_POST
@login_required
def start_review(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    _staff_only(request.user)
    plan, _ = get_plan_for_user(request.user, code, write=True)
    form = StartReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the plan is being reviewed.")
        return redirect("careplans:sign", plan.code)
    try:
        new = actions.start_review(
            plan, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except actions.ReviewError as error:
        messages.error(request, str(error))
        return redirect("careplans:sign", plan.code)
    messages.success(
        request,
        f"Version {new.number} is a draft. Version {plan.number} stays in effect until the new "
        f"version is signed.",
    )
    return redirect("careplans:sign", new.code)


@require_GET
@login_required
def plan_diff(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    """What changed from the version before (or `?against=<code>` of the same plan)."""
    _staff_only(request.user)
    plan, _ = get_plan_for_user(request.user, code, read_event="careplans.plan_diff_viewed")
    against = request.GET.get("against")
    other: TreatmentPlan | None
    if against:
        try:
            other = TreatmentPlan.objects.get(
                code=against, lineage=plan.lineage, participant=plan.participant
            )
        except (TreatmentPlan.DoesNotExist, ValueError, ValidationError) as exc:
            raise Http404 from exc
    else:
        other = plan.previous
    diff = None
    if other is not None and other.pk != plan.pk:
        rows = {
            p.pk: p for p in with_content(TreatmentPlan.objects.filter(pk__in=[plan.pk, other.pk]))
        }
        old, new = sorted(rows.values(), key=lambda p: p.number)
        diff = build_diff(old, new)
    versions = TreatmentPlan.objects.filter(
        lineage=plan.lineage, participant=plan.participant
    ).order_by("number")
    return render(
        request,
        "careplans/plan_diff.html",
        {"plan": plan, "diff": diff, "versions": versions},
    )


# --- The participant's page -------------------------------------------------------------------


def _participant_plan(participant: Participant) -> TreatmentPlan | None:
    """The version awaiting signatures, else the one in effect."""
    plans = TreatmentPlan.objects.filter(
        participant=participant, status__in=[Status.AWAITING_SIGNATURES, Status.ACTIVE]
    ).select_related("participant__program", "episode", "assessment", "previous")
    by_status = {p.status: p for p in plans}
    return by_status.get(Status.AWAITING_SIGNATURES) or by_status.get(Status.ACTIVE)


def _my_plan_page(
    request: AuthedRequest,
    plan: TreatmentPlan | None,
    *,
    form: ParticipantSignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict = {"plan": plan, "form": form}
    if plan is not None:
        load_content(plan)
        signature = plan.signatures.filter(role=Role.PARTICIPANT).first()
        context["signature"] = signature
        if plan.status == Status.AWAITING_SIGNATURES and signature is None and form is None:
            context["form"] = ParticipantSignForm(initial={"signed_hash": plan_hash(plan)})
        context["care_team"] = plan.participant.care_team.select_related("clinician").order_by("id")
    return render(request, "careplans/sign_my_plan.html", context, status=status)


@require_GET
@login_required
def my_plan(request: AuthedRequest) -> HttpResponse:
    participant = own_chart(request.user)
    return _my_plan_page(request, _participant_plan(participant))


@require_POST
@login_required
def my_plan_sign(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    participant = own_chart(request.user)
    try:
        plan = TreatmentPlan.objects.select_related(
            "participant__program", "episode", "assessment", "previous"
        ).get(code=code, participant=participant)
    except TreatmentPlan.DoesNotExist as exc:
        raise Http404 from exc
    form = ParticipantSignForm(request.POST)
    if not form.is_valid():
        return _my_plan_page(request, plan, form=form, status=400)
    if participant.discharged_at is not None:
        form.add_error(
            None, gettext("Your care here has ended, so this plan can no longer be signed.")
        )
        return _my_plan_page(request, plan, form=form, status=400)
    try:
        actions.sign_plan(
            plan,
            role=Role.PARTICIPANT,
            typed_name=form.cleaned_data["typed_name"],
            signed_hash=form.cleaned_data["signed_hash"],
            acting_user=request.user,
        )
    except SigningError as error:
        for message in error.messages:
            form.add_error(None, message)
        plan.refresh_from_db()
        return _my_plan_page(request, plan, form=form, status=400)
    messages.success(request, gettext("Thank you. You signed your treatment plan."))
    return redirect("careplans:my_plan")
