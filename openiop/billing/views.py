"""Billing pages: thin (access -> validate -> action -> respond)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.billing import access, actions, claims, queries, ur_packet
from openiop.billing.forms import (
    AuthorizationForm,
    ChargeFilterForm,
    CoverageEditForm,
    CoverageForm,
    EndCoverageForm,
    PayerForm,
    PlanForm,
    ProfileForm,
)
from openiop.billing.models import (
    Authorization,
    BillingAlert,
    BillingProfile,
    ClaimBatch,
    Coverage,
    Payer,
)
from openiop.lib.timefmt import format_date
from openiop.participants.zones import viewer_zone
from openiop.programs.models import Track

PAGE_SIZE = 200


@require_GET
@login_required
def index(request: AuthedRequest) -> HttpResponse:
    programs = list(access.billing_programs(request.user))
    if not programs:
        raise Http404
    return render(request, "billing/index.html", {"programs": programs})


@require_http_methods(["GET", "POST"])
@login_required
def setup(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program(request.user, code)
    profile = BillingProfile.objects.filter(program=program).first()
    which = request.POST.get("form") if request.method == "POST" else None
    data = request.POST if request.method == "POST" else None
    profile_form = ProfileForm(
        data if which == "profile" else None, instance=profile, prefix="profile"
    )
    payer_form = PayerForm(data if which == "payer" else None, program=program, prefix="payer")
    plan_form = PlanForm(data if which == "plan" else None, program=program, prefix="plan")
    if which == "profile" and profile_form.is_valid():
        actions.save_profile(
            program=program,
            fields={k: v for k, v in profile_form.cleaned_data.items()},
            acting_user=request.user,
        )
        messages.success(request, "Billing details saved.")
        return redirect("billing:setup", program.code)
    if which == "payer" and payer_form.is_valid():
        actions.save_payer(
            program=program, fields=payer_form.payer_fields(), acting_user=request.user
        )
        messages.success(request, "Payer added.")
        return redirect("billing:setup", program.code)
    if which == "plan" and plan_form.is_valid():
        actions.add_plan(
            payer=plan_form.cleaned_data["payer"],
            name=plan_form.cleaned_data["name"],
            acting_user=request.user,
        )
        messages.success(request, "Plan added.")
        return redirect("billing:setup", program.code)
    payers = list(Payer.objects.filter(program=program).prefetch_related("plans").order_by("name"))
    return render(
        request,
        "billing/setup.html",
        {
            "program": program,
            "profile_form": profile_form,
            "payer_form": payer_form,
            "plan_form": plan_form,
            "payers": payers,
        },
        status=400 if which else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def payer_edit(request: AuthedRequest, code: str, payer_code: str) -> HttpResponse:
    program = access.get_program(request.user, code)
    payer = access.get_payer(request.user, program, payer_code)
    form = PayerForm(
        request.POST if request.method == "POST" else None, instance=payer, program=program
    )
    if request.method == "POST" and form.is_valid():
        actions.save_payer(
            program=program, payer=payer, fields=form.payer_fields(), acting_user=request.user
        )
        messages.success(request, "Payer saved.")
        return redirect("billing:setup", program.code)
    return render(
        request,
        "billing/payer_edit.html",
        {"program": program, "payer": payer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def chart(request: AuthedRequest, code: str) -> HttpResponse:
    writing = request.method == "POST"
    participant, chart_access = access.get_chart(request.user, code, write=writing)
    can_change = access.can_change_coverage(request.user, chart_access)
    which = request.POST.get("form") if writing else None
    coverage_form = CoverageForm(
        request.POST if which == "coverage" else None, participant=participant, prefix="cov"
    )
    auth_form = AuthorizationForm(
        request.POST if which == "authorization" else None,
        participant=participant,
        prefix="auth",
    )
    if which == "coverage" and coverage_form.is_valid():
        try:
            actions.add_coverage(
                participant=participant,
                fields=coverage_form.coverage_fields(),
                acting_user=request.user,
            )
        except actions.BillingError as exc:
            coverage_form.add_error(None, str(exc))
        else:
            messages.success(request, "Coverage added.")
            return redirect("billing:chart", participant.code)
    if which == "authorization" and auth_form.is_valid():
        auth, used = actions.add_authorization(
            coverage=auth_form.cleaned_data["coverage"],
            fields=auth_form.authorization_fields(),
            acting_user=request.user,
        )
        if used > auth.units_approved:
            messages.warning(
                request,
                f"Authorization saved, but its dates already hold {used} qualifying days, "
                f"{used - auth.units_approved} more than the {auth.units_approved} approved: "
                "the charges for those days will be held.",
            )
        else:
            messages.success(request, "Authorization saved.")
        return redirect("billing:chart", participant.code)
    coverages = list(
        participant.coverages.select_related("plan__payer").order_by("priority", "-starts_on")  # type: ignore[attr-defined]
    )
    auths = list(
        Authorization.objects.filter(participant=participant)
        .select_related("participant__program", "coverage__plan__payer")
        .order_by("-starts_on")
    )
    usage = queries.usage(auths)
    alerts = list(
        BillingAlert.objects.filter(
            authorization__participant=participant, resolved_at=None
        ).select_related("authorization")
    )
    return render(
        request,
        "billing/chart.html",
        {
            "participant": participant,
            "coverages": coverages,
            "authorizations": [(a, usage[a.pk]) for a in auths],
            "alerts": alerts,
            "can_change": can_change,
            "can_export_ur_packet": access.ur_packet_allowed(request.user, participant),
            "coverage_form": coverage_form,
            "auth_form": auth_form,
        },
        status=400 if which else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def coverage_edit(request: AuthedRequest, code: str, coverage_code: str) -> HttpResponse:
    posted = request.method == "POST"
    participant, coverage = access.get_coverage_to_change(
        request.user, code, coverage_code, reading=not posted
    )
    form = CoverageEditForm(
        request.POST if posted else None,
        instance=coverage,
        initial={"version": coverage.version},
        participant=participant,
        prefix="cov",
    )
    if posted and form.is_valid():
        try:
            change = actions.update_coverage(
                coverage=coverage,
                fields=form.coverage_fields(),
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except actions.BillingError as exc:
            form = _refused(
                lambda data: CoverageEditForm(data, participant=participant, prefix="cov"),
                request,
                exc,
                coverage=coverage,
                prefix="cov",
            )
        else:
            messages.success(request, "Coverage saved." if change.fields else "Nothing changed.")
            if change.exported:
                messages.warning(
                    request,
                    "Already exported on this coverage: "
                    f"{change.exported} charge{pluralize(change.exported)}. A claim file "
                    "downloaded again carries the new details; correct claims already sent "
                    "with the payer.",
                )
            return redirect("billing:chart", participant.code)
    return _coverage_page(request, participant, coverage, edit_form=form)


@require_POST
@login_required
def coverage_end(request: AuthedRequest, code: str, coverage_code: str) -> HttpResponse:
    participant, coverage = access.get_coverage_to_change(
        request.user, code, coverage_code, reading=False
    )
    form = EndCoverageForm(request.POST, coverage=coverage, prefix="end")
    if form.is_valid():
        try:
            change = actions.end_coverage(
                coverage=coverage,
                ends_on=form.cleaned_data["ends_on"],
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
            )
        except actions.BillingError as exc:
            form = _refused(
                lambda data: EndCoverageForm(data, coverage=coverage, prefix="end"),
                request,
                exc,
                coverage=coverage,
                prefix="end",
            )
        else:
            ends_on = change.coverage.ends_on
            assert ends_on is not None
            messages.success(request, f"Coverage ends after {format_date(ends_on)}.")
            if change.exported:
                messages.warning(
                    request,
                    "Already exported on this coverage for days after that one: "
                    f"{change.exported} charge{pluralize(change.exported)}. The payer may take "
                    "back what it paid for them.",
                )
            return redirect("billing:chart", participant.code)
    return _coverage_page(request, participant, coverage, end_form=form)


def _refused(
    make_form: Callable[[QueryDict], Any],
    request: AuthedRequest,
    exc: Exception,
    *,
    coverage: Coverage,
    prefix: str,
) -> Any:
    """The form again with what was typed and the action's refusal. After a concurrent change
    it carries the saved version, so checking the entries and saving again goes through."""
    data = request.POST.copy()
    if isinstance(exc, actions.StaleCoverage):
        saved = Coverage.objects.values_list("version", flat=True).get(pk=coverage.pk)
        data[f"{prefix}-version"] = str(saved)
    form = make_form(data)
    form.is_valid()
    form.add_error(None, str(exc))
    return form


def _coverage_page(
    request: AuthedRequest,
    participant: Any,
    coverage: Coverage,
    *,
    edit_form: CoverageEditForm | None = None,
    end_form: EndCoverageForm | None = None,
) -> HttpResponse:
    posted = request.method == "POST"
    if posted:
        # A bound ModelForm has written what was typed onto `coverage`: show the saved row.
        coverage = Coverage.objects.select_related("plan__payer").get(pk=coverage.pk)
    return render(
        request,
        "billing/coverage.html",
        {
            "participant": participant,
            "coverage": coverage,
            "edit_form": edit_form
            or CoverageEditForm(
                instance=coverage,
                initial={"version": coverage.version},
                participant=participant,
                prefix="cov",
            ),
            "end_form": end_form
            or EndCoverageForm(
                coverage=coverage,
                initial={"version": coverage.version, "ends_on": coverage.ends_on},
                prefix="end",
            ),
        },
        status=400 if posted else 200,
    )


def _filters(request: AuthedRequest, program: Any) -> tuple[ChargeFilterForm, date, date]:
    form = ChargeFilterForm(
        request.GET or None, program=program, today=actions.program_today(program)
    )
    first, last = form.period()
    return form, first, last


@require_GET
@login_required
def charges(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program(request.user, code)
    form, first, last = _filters(request, program)
    valid = form.is_valid()
    listed = queries.charges(
        program,
        first,
        last,
        status=form.cleaned_data.get("status", "") if valid else "",
        payer_code=form.cleaned_data.get("payer", "") if valid else "",
    )
    # A month of a large program holds thousands of charges: one page at a time (the CSV and
    # the claim files take them all).
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    access.record_charges_read(request.user, program)
    alerts = list(
        BillingAlert.objects.filter(authorization__participant__program=program, resolved_at=None)
        .select_related("authorization__participant")
        .order_by("authorization__ends_on")
    )
    batches = list(
        ClaimBatch.objects.filter(program=program)
        .select_related("payer")
        .order_by("-created_at")[:10]
    )
    return render(
        request,
        "billing/charges.html",
        {
            "program": program,
            "form": form,
            "rows": rows,
            "first": first,
            "last": last,
            "month": first.strftime("%Y-%m"),
            "payers": list(Payer.objects.filter(program=program, is_active=True).order_by("name")),
            "tracks": list(
                Track.objects.filter(program=program).select_related("program").order_by("name")
            ),
            "alerts": alerts,
            "batches": batches,
            "query": request.GET.urlencode(),
            "page": page,
            "page_query": _without_page(request),
            "zone": viewer_zone(request.user),
        },
    )


def _without_page(request: AuthedRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _back(program: Any, month: str) -> str:
    return reverse("billing:charges", args=[program.code]) + (f"?month={month}" if month else "")


@require_POST
@login_required
def generate(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program(request.user, code)
    form = ChargeFilterForm(request.POST, program=program, today=actions.program_today(program))
    first, last = form.period()
    result = actions.generate_charges(
        program=program, first=first, last=last, acting_user=request.user
    )
    messages.success(
        request,
        f"Charges for {first:%B %Y}: {result.ready} ready, {result.held} held "
        f"({result.created} new, {result.changed} changed, {result.removed} removed).",
    )
    return redirect(_back(program, first.strftime("%Y-%m")))


@require_POST
@login_required
def export(request: AuthedRequest, code: str, payer_code: str) -> HttpResponse:
    program = access.get_program(request.user, code)
    payer = access.get_payer(request.user, program, payer_code)
    form = ChargeFilterForm(request.POST, program=program, today=actions.program_today(program))
    first, last = form.period()
    try:
        batch = claims.export_batch(
            program=program, payer=payer, first=first, last=last, acting_user=request.user
        )
        text = claims.batch_text(batch, acting_user=request.user)
    except actions.BillingError as exc:
        messages.error(request, str(exc))
        return redirect(_back(program, first.strftime("%Y-%m")))
    return _x12_response(batch, text)


def _x12_response(batch: ClaimBatch, text: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/plain; charset=us-ascii")
    name = f"claims-{batch.claim_format}-{batch.pk}.x12"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@login_required
def batch_file(request: AuthedRequest, code: str) -> HttpResponse:
    batch = access.get_batch(request.user, code)
    try:
        text = claims.batch_text(batch, acting_user=request.user)
    except actions.BillingError as exc:
        messages.error(request, str(exc))
        return redirect("billing:charges", batch.program.code)
    return _x12_response(batch, text)


@require_GET
@login_required
def charges_csv(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program(request.user, code)
    form, first, last = _filters(request, program)
    valid = form.is_valid()
    rows = list(
        queries.charges(
            program,
            first,
            last,
            status=form.cleaned_data.get("status", "") if valid else "",
            payer_code=form.cleaned_data.get("payer", "") if valid else "",
        )
    )
    access.record_charges_read(request.user, program, export=True)
    response = HttpResponse(claims.charges_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="charges-{first:%Y-%m}.csv"'
    return response


@require_GET
@login_required
def ur_packet_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    try:
        pdf = ur_packet.packet_pdf_for_user(request.user, code)
    except ur_packet.Part2Withheld as exc:
        return render(
            request,
            "billing/ur_packet_withheld.html",
            {"participant": exc.participant},
            status=403,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="utilization-review.pdf"'
    return response
