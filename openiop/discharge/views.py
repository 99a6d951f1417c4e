from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.discharge import access, actions, queries
from openiop.discharge.forms import (
    TEXT_LIMIT,
    AftercareFormSet,
    DischargeForm,
    aftercare_initial,
)
from openiop.discharge.models import DischargeSummary
from openiop.lib.access import Access
from openiop.lib.pdf import render_pdf
from openiop.participants import access as participant_access
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone
from openiop.scheduling.models import Booking, Enrollment


def _what_signing_ends(participant: Participant) -> dict[str, Any]:
    """The open places in groups and the upcoming sessions that signing will end."""
    return {
        "enrollments": list(
            Enrollment.objects.filter(
                participant=participant, status__in=Enrollment.OPEN_STATUSES
            ).select_related("group")
        ),
        "upcoming": Booking.objects.filter(
            participant=participant,
            status=Booking.Status.BOOKED,
            session__starts_at__gt=timezone.now(),
        ).count(),
    }


@require_http_methods(["GET", "POST"])
@login_required
def new(request: AuthedRequest, code: str) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    participant, _ = participant_access.get_participant_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    error = ""
    if request.method == "POST":
        try:
            summary, created = actions.start_discharge(participant, acting_user=request.user)
        except actions.DischargeError as exc:
            error = str(exc)
        else:
            if created:
                messages.success(request, "Discharge summary started from the record.")
            return redirect("discharge:edit", summary.code)
    episode = actions.active_episode(participant)
    draft = DischargeSummary.objects.filter(episode=episode).first() if episode else None
    return render(
        request,
        "discharge/new.html",
        {
            "participant": participant,
            "episode": episode,
            "draft": draft,
            "error": error,
            **_what_signing_ends(participant),
        },
        status=400 if error else 200,
    )


def _edit_page(
    request: AuthedRequest,
    summary: DischargeSummary,
    form: DischargeForm,
    formset: Any,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "discharge/edit.html",
        {
            "summary": summary,
            "participant": summary.participant,
            "form": form,
            "formset": formset,
            "text_limit": f"{TEXT_LIMIT:,}",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: AuthedRequest, code: str) -> HttpResponse:
    summary, _ = access.get_summary_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    if summary.is_signed:
        messages.info(request, "This discharge summary is signed: it can no longer be changed.")
        return redirect(summary)
    zone = summary.participant.timezone
    today = actions.program_today(summary.participant)
    if request.method == "GET":
        form = DischargeForm(
            instance=summary, initial={"edit_version": summary.edit_version}, today=today
        )
        formset = AftercareFormSet(
            prefix="aftercare",
            initial=aftercare_initial(summary, zone),
            form_kwargs={"zone": zone},
        )
        return _edit_page(request, summary, form, formset)
    form = DischargeForm(request.POST, instance=summary, today=today)
    formset = AftercareFormSet(request.POST, prefix="aftercare", form_kwargs={"zone": zone})
    if not (form.is_valid() and formset.is_valid()):
        return _edit_page(request, summary, form, formset, status=400)
    fields = {name: form.cleaned_data[name] for name in actions.TYPED_FIELDS}
    aftercare = [
        f.appointment()
        for f in formset.forms
        if f.has_changed() and not f.cleaned_data.get("DELETE")
    ]
    # The form wrote the typed values onto `summary`; the action saves from a fresh row.
    summary.refresh_from_db()
    try:
        actions.save_draft(
            summary,
            fields=fields,
            aftercare=aftercare,
            expected_version=form.cleaned_data["edit_version"],
            acting_user=request.user,
        )
    except actions.StaleDraft as exc:
        form.add_error(None, str(exc))
        return _edit_page(request, summary, form, formset, status=409)
    messages.success(request, "Draft saved.")
    return redirect(summary)


@require_POST
@login_required
def refresh(request: AuthedRequest, code: str) -> HttpResponse:
    summary, _ = access.get_summary_for_user(request.user, code, write=True)
    try:
        actions.refresh_computed(summary, acting_user=request.user)
    except actions.DischargeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Services, scores and diagnoses recomputed from the record.")
    return redirect(summary)


@require_POST
@login_required
def sign(request: AuthedRequest, code: str) -> HttpResponse:
    summary, _ = access.get_summary_for_user(request.user, code, sign=True)
    try:
        actions.sign_discharge(summary, acting_user=request.user)
    except actions.DischargeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Signed. The episode of care is finished, the participant's places in groups and "
            "upcoming sessions are released, and they are told what comes next.",
        )
    return redirect(summary)


@require_GET
@login_required
def summary(request: AuthedRequest, code: str) -> HttpResponse:
    row, chart_access = access.get_summary_for_user(request.user, code)
    can_write = chart_access == Access.WRITE and not row.is_signed
    context: dict[str, Any] = {
        "summary": row,
        "participant": row.participant,
        "aftercare": list(row.aftercare.all()),
        "zone": viewer_zone(request.user),
        "can_write": can_write,
        "can_sign": can_write and access.can_sign(request.user, chart_access),
    }
    if context["can_sign"]:
        context.update(
            missing=actions.missing_for_signature(row),
            under_way=queries.sessions_under_way(row.participant),
            **_what_signing_ends(row.participant),
        )
    return render(request, "discharge/summary.html", context)


@require_GET
@login_required
def summary_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    row, _ = access.get_summary_for_user(
        request.user, code, read_event="discharge.summary_exported"
    )
    pdf = render_pdf(
        "discharge/summary_pdf.html",
        {
            "summary": row,
            "participant": row.participant,
            "aftercare": list(row.aftercare.all()),
            "zone": viewer_zone(request.user),
            "generated_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="discharge-summary-{row.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
