"""Downloads of the designated record: staff (chart readers) by chart, and the participant
from their "Your record" page.

Each download is two steps, kept apart so a filter (Part 2 segmentation) can sit between
them: `record.get_record_for_user` / `record.get_own_record` build the record through the
gate and log it; `_pdf_response` / `_fhir_response` render it."""

import json

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.consent import queries as consent_queries
from openiop.consent.models import ConsentKind, Disclosure
from openiop.notes import record
from openiop.notes.disclosure_fhir import bundle_for_disclosure
from openiop.participants.access import own_chart
from openiop.participants.zones import viewer_zone

FHIR_JSON = "application/fhir+json"


def _attachment(
    response: HttpResponse, designated: record.DesignatedRecord, ext: str
) -> HttpResponse:
    # The participant's code, not their name: file names end up in download lists and logs.
    response["Content-Disposition"] = (
        f'attachment; filename="record-{designated.participant.code}.{ext}"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _pdf_response(request: AuthedRequest, designated: record.DesignatedRecord) -> HttpResponse:
    pdf = record.render_record_pdf(
        designated, zone=viewer_zone(request.user), prepared_for=request.user
    )
    return _attachment(HttpResponse(pdf, content_type="application/pdf"), designated, "pdf")


def _fhir_response(request: AuthedRequest, designated: record.DesignatedRecord) -> HttpResponse:
    # A staff export that passed the Part 2 gate with Part 2 records in it carries their
    # labels, the notice and the consent it went under; anything else is the plain Bundle.
    consent = None
    if designated.part2_included:
        consent = consent_queries.in_force(designated.participant, ConsentKind.PART2_TPO)
    # A record in English, like the PDF: coded text and labels do not follow the reader.
    with translation.override("en"):
        bundle = bundle_for_disclosure(designated, consent=consent, zone=viewer_zone(request.user))
    body = json.dumps(bundle, ensure_ascii=False, indent=1).encode()
    return _attachment(HttpResponse(body, content_type=FHIR_JSON), designated, "json")


@require_GET
@login_required
def record_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    # One transaction: a staff copy's accounting entry stands only if the PDF was made.
    with transaction.atomic():
        designated = record.get_record_for_user(request.user, code, format=Disclosure.Format.PDF)
        return _pdf_response(request, designated)


@require_GET
@login_required
def record_fhir(request: AuthedRequest, code: str) -> HttpResponse:
    with transaction.atomic():
        designated = record.get_record_for_staff(request.user, code, format=Disclosure.Format.FHIR)
        return _fhir_response(request, designated)


@require_GET
@login_required
def my_record(request: AuthedRequest) -> HttpResponse:
    """ "Your record": the right of access explained, and the two downloads."""
    participant = own_chart(request.user)
    return render(request, "notes/my_record.html", {"participant": participant})


@require_GET
@login_required
def my_record_pdf(request: AuthedRequest) -> HttpResponse:
    designated = record.get_own_record(request.user, format=Disclosure.Format.PDF)
    return _pdf_response(request, designated)


@require_GET
@login_required
def my_record_fhir(request: AuthedRequest) -> HttpResponse:
    designated = record.get_own_record(request.user, format=Disclosure.Format.FHIR)
    return _fhir_response(request, designated)
