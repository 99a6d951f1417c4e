"""Consent pages: a program's texts (directors), the participant's consents (sign, copy,
revoke), a guardian's family consent pages, and a chart's consents (staff who may read the
chart)."""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.http import AuthedRequest
from openiop.audit.context import origin_from_meta
from openiop.consent import queries
from openiop.consent.access import consents as access
from openiop.consent.actions import consents as actions
from openiop.lib.pdf import render_pdf
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone
from openiop.programs.models import Program

from ..defaults import ensure_texts
from ..fhir import consent_resource
from ..forms import SignForm, TextForm
from ..models import (
    GUARDIAN_KINDS,
    REQUIRED_BEFORE_FIRST_SESSION,
    REVOCABLE,
    Consent,
    ConsentKind,
    ConsentText,
)


def _current(program: Program, kind: str, user: Any) -> ConsentText:
    text = actions.current_text(program, kind)
    if text is None:
        ensure_texts(program, acting_user=user)
        text = actions.current_text(program, kind)
    if text is None:  # pragma: no cover - ensure_texts made one
        raise Http404
    return text


# Directors: the program's texts.


@require_GET
@login_required
def program_texts(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program_for_director(request.user, code)
    ensure_texts(program, acting_user=request.user)
    return render(
        request,
        "consent/program_texts.html",
        {"program": program, "rows": queries.text_overview(program)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit_text(request: AuthedRequest, code: str, kind: str) -> HttpResponse:
    program = access.get_program_for_director(request.user, code)
    consent_kind = access.kind_or_404(kind)
    current = _current(program, consent_kind, request.user)
    status = 200
    if request.method == "POST":
        form = TextForm(request.POST)
        if form.is_valid():
            try:
                text = actions.save_text(
                    program,
                    consent_kind,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    expected_version=form.cleaned_data["version"],
                    acting_user=request.user,
                )
            except actions.StaleText as exc:
                # Keep the typed text; the next save compares with the version now current.
                current = _current(program, consent_kind, request.user)
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = TextForm(data)
                form.is_valid()
                form.add_error(None, str(exc))
                status = 409
            except actions.ConsentError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request,
                    f"Published version {text.version}. New signatures use it; earlier "
                    "signatures keep the version they signed.",
                )
                return redirect("consent:program_texts", program.code)
        else:
            status = 400
    else:
        form = TextForm(
            initial={"title": current.title, "body": current.body, "version": current.version}
        )
    return render(
        request,
        "consent/edit_text.html",
        {
            "program": program,
            "kind": consent_kind,
            "current": current,
            "versions": queries.text_versions(program, consent_kind),
            "form": form,
            "conflict": status == 409,
        },
        status=status,
    )


# The participant's own consents.


@require_GET
@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    participant = access.own_chart(request.user)
    if participant.program is not None:
        ensure_texts(participant.program, acting_user=request.user)
    rows = queries.participant_rows(participant, access.kinds_for(participant))
    return render(
        request,
        "consent/mine.html",
        {
            "participant": participant,
            "required": [r for r in rows if r.required],
            "optional": [r for r in rows if not r.required],
        },
    )


class _SignForm(SignForm):
    """The signature form; the typed name must be the participant's, or with `guardian` the
    guardian's own."""

    def __init__(
        self, *args: Any, participant: Participant, guardian: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.participant = participant
        self.guardian = guardian

    def clean_signed_name(self) -> str:
        typed = self.cleaned_data["signed_name"]
        try:
            if self.guardian is not None:
                return actions.clean_guardian_name(typed, self.guardian)
            return actions.clean_signed_name(typed, self.participant)
        except actions.ConsentError as exc:
            raise ValidationError(str(exc)) from exc


@require_http_methods(["GET", "POST"])
@login_required
def sign(request: AuthedRequest, kind: str) -> HttpResponse:
    participant, consent_kind = access.own_signable_kind(request.user, kind)
    return _sign_page(request, participant, consent_kind)


def _sign_page(
    request: AuthedRequest,
    participant: Participant,
    consent_kind: ConsentKind,
    *,
    guardian: bool = False,
) -> HttpResponse:
    """The sign page of the participant (`sign`) and of their guardian (`ward_sign`)."""
    program = participant.program
    if program is None:
        raise Http404
    text = _current(program, consent_kind, request.user)
    signed = queries.in_force(participant, consent_kind)
    sign_action = actions.sign_for_ward if guardian else actions.sign
    signer = request.user if guardian else None
    status = 200
    if request.method == "POST":
        form = _SignForm(request.POST, participant=participant, guardian=signer)
        if form.is_valid():
            shown = ConsentText.objects.filter(
                program=program, kind=consent_kind, code=form.cleaned_data["text"]
            ).first()
            origin = origin_from_meta(request.META)
            try:
                if shown is None:
                    raise actions.StaleText(gettext("Open this consent again before you sign."))
                consent = sign_action(
                    participant,
                    shown,
                    signed_name=form.cleaned_data["signed_name"],
                    agreed=form.cleaned_data["agree"],
                    ip_address=origin.ip_address,
                    user_agent=str(request.META.get("HTTP_USER_AGENT", "")),
                    acting_user=request.user,
                )
            except actions.StaleText as exc:
                # Show the new text; keep the typed name, but the box must be ticked again
                # for the text now on the page.
                form = _SignForm(
                    initial={"text": text.code, "signed_name": form.cleaned_data["signed_name"]},
                    participant=participant,
                    guardian=signer,
                )
                messages.error(request, str(exc))
                status = 409
            except actions.ConsentError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(
                    request, gettext("Signed: %(form)s.") % {"form": consent.get_kind_display()}
                )
                return redirect("consent:detail", consent.code)
        else:
            status = 400
    else:
        form = _SignForm(initial={"text": text.code}, participant=participant, guardian=signer)
    signed_this = signed is not None and signed.text_id == text.pk
    return render(
        request,
        "consent/sign.html",
        {
            "participant": participant,
            "kind": consent_kind,
            "text": text,
            "signed": signed,
            "form": None if signed_this else form,
            "required": consent_kind in REQUIRED_BEFORE_FIRST_SESSION,
            "guardian": guardian,
        },
        status=status,
    )


# A parent or guardian: the consents of each participant they look after.


@require_GET
@login_required
def ward_consents(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_ward_for_guardian(request.user, code)
    if participant.program is not None:
        ensure_texts(participant.program, acting_user=request.user)
    return render(
        request,
        "consent/ward_consents.html",
        {
            "participant": participant,
            "rows": queries.participant_rows(participant, list(GUARDIAN_KINDS)),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def ward_sign(request: AuthedRequest, code: str, kind: str) -> HttpResponse:
    participant, consent_kind = access.ward_signable_kind(
        request.user, code, kind, read=request.method == "GET"
    )
    return _sign_page(request, participant, consent_kind, guardian=True)


def _consent_context(request: AuthedRequest, consent: Consent) -> dict[str, Any]:
    participant = consent.participant
    own = request.user.is_participant
    guardian = request.user.is_guardian
    missing = queries.missing_before_first_session(participant) if own or guardian else []
    return {
        "consent": consent,
        "text": consent.text,
        "participant": participant,
        "own": own,
        "guardian": guardian,
        "in_force": consent.is_in_force(),
        "revocable": consent.kind in REVOCABLE,
        "why_not": ""
        if consent.kind in REVOCABLE
        else actions.why_not_revocable(consent.kind, guardian=guardian),
        "next_missing": missing[0] if missing else None,
    }


@require_GET
@login_required
def detail(request: AuthedRequest, code: str) -> HttpResponse:
    consent, _ = access.get_consent_for_user(request.user, code)
    return render(request, "consent/detail.html", _consent_context(request, consent))


@require_http_methods(["GET", "POST"])
@login_required
def revoke(request: AuthedRequest, code: str) -> HttpResponse:
    consent, _ = access.get_consent_for_user(
        request.user,
        code,
        revoke=True,
        read_event="consent.viewed" if request.method == "GET" else None,
    )
    error = ""
    if request.method == "POST":
        try:
            actions.revoke(consent, acting_user=request.user)
        except actions.ConsentError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                gettext("Revoked: %(form)s. It stopped applying just now.")
                % {"form": consent.get_kind_display()},
            )
            if request.user.is_guardian:
                return redirect("consent:ward_consents", consent.participant.code)
            return redirect("consent:mine")
    context = _consent_context(request, consent)
    context["error"] = error
    return render(request, "consent/revoke.html", context, status=400 if error else 200)


@require_GET
@login_required
def consent_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    consent, _ = access.get_consent_for_user(
        request.user, code, read_event="consent.exported", details={"format": "pdf"}
    )
    pdf = render_pdf(
        "consent/consent_pdf.html",
        {
            "consent": consent,
            "text": consent.text,
            "participant": consent.participant,
            "zone": viewer_zone(request.user),
            "generated_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="consent-{consent.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def consent_fhir(request: AuthedRequest, code: str) -> HttpResponse:
    consent, _ = access.get_consent_for_user(
        request.user, code, read_event="consent.exported", details={"format": "fhir"}
    )
    body = json.dumps(consent_resource(consent), indent=2)
    response = HttpResponse(body, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="consent-{consent.code}.json"'
    response["Cache-Control"] = "no-store"
    return response


# Staff: a chart's consents.


@require_GET
@login_required
def participant_consents(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_chart_for_consents(request.user, code)
    consents = list(
        Consent.objects.filter(participant=participant)
        .select_related("text")
        .order_by("kind", "-signed_at", "-id")
    )
    return render(
        request,
        "consent/participant_consents.html",
        {
            "participant": participant,
            "consents": consents,
            "missing": [ConsentKind(k) for k in queries.missing_before_first_session(participant)],
        },
    )
