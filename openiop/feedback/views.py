from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.feedback import access, trends
from openiop.participants.zones import viewer_zone


@require_GET
@login_required
def trend_page(request: AuthedRequest) -> HttpResponse:
    """Check-in averages over time: the user's own sessions per group; for directors, their
    programs per group and per clinician. Aggregates only, so no read of a record is logged."""
    own, program_wide, directed = access.trend_scope(request.user)
    now = timezone.now()
    is_director = directed.exists()
    return render(
        request,
        "feedback/trends.html",
        {
            "zone": viewer_zone(request.user),
            "weeks": trends.WEEKS,
            "own": trends.by_group(trends.window(own, now)),
            "is_director": is_director,
            "program_groups": trends.by_group(trends.window(program_wide, now))
            if is_director
            else [],
            "program_clinicians": trends.by_clinician(trends.window(program_wide, now))
            if is_director
            else [],
        },
    )
