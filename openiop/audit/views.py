from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.audit import queries
from openiop.participants import access


@require_GET
@login_required
def record_access(request: AuthedRequest) -> HttpResponse:
    """ "Who has seen my record": the participant's own view of chart reads by staff."""
    participant = access.visible_participants(request.user).filter(user=request.user).first()
    if participant is None:
        raise Http404
    return render(
        request,
        "audit/record_access.html",
        {"participant": participant, "views": queries.chart_views_by_staff(participant)},
    )
