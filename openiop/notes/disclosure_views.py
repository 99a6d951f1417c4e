"""Send records under a release: a chart writer picks one of the participant's releases in
force and downloads the record (PDF or FHIR Bundle) for its recipient, filtered by the Part 2
gate and the release's scope, with a copy of the release and, for Part 2 records, the §2.32
notice. The staff member sends it through the channel their program uses; OpenIOP accounts
for it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from openiop.accounts.http import AuthedRequest
from openiop.consent.models import Consent, ConsentKind, Disclosure
from openiop.consent.release_actions import ReleaseNotInForce
from openiop.notes import access, actions
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone

FORMATS = (Disclosure.Format.PDF, Disclosure.Format.FHIR)


def _page(
    request: AuthedRequest, participant: Participant, *, error: str = "", status: int = 200
) -> HttpResponse:
    releases = Consent.objects.in_force().filter(participant=participant, kind=ConsentKind.RELEASE)
    return render(
        request,
        "notes/disclose.html",
        {"participant": participant, "releases": releases, "error": error},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def disclose(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_chart_to_disclose(request.user, code, read=request.method == "GET")
    if request.method == "GET":
        return _page(request, participant)
    chosen = request.POST.get("release", "")
    if not chosen:
        return _page(request, participant, error="Choose the release to send under.", status=400)
    try:
        release = Consent.objects.get(
            participant=participant, kind=ConsentKind.RELEASE, code=chosen
        )
    except (Consent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    chosen_format = request.POST.get("format", Disclosure.Format.PDF)
    if chosen_format not in FORMATS:
        return _page(request, participant, error="Choose PDF or FHIR Bundle.", status=400)
    try:
        released = actions.disclose_under_release(
            participant,
            release,
            format=chosen_format,
            zone=viewer_zone(request.user),
            acting_user=request.user,
        )
    except ReleaseNotInForce as exc:
        return _page(request, participant, error=str(exc), status=409)
    response = HttpResponse(released.content, content_type=released.content_type)
    # Named by the accounting row, not the person: file names end up in download lists.
    response["Content-Disposition"] = f'attachment; filename="{released.filename}"'
    response["Cache-Control"] = "no-store"
    return response
