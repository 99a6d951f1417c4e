from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.notes import record
from openiop.participants.zones import viewer_zone


@require_GET
@login_required
def record_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    designated = record.get_record_for_user(request.user, code)
    pdf = record.render_record_pdf(
        designated, zone=viewer_zone(request.user), prepared_for=request.user
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The participant's code, not their name: file names end up in download lists and logs.
    response["Content-Disposition"] = (
        f'attachment; filename="record-{designated.participant.code}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response
