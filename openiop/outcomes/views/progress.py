"""Measures and progress: the clinician's page of a chart and the participant's "My progress".

Access is the chart's own gate (openiop.participants.access): staff who may read the chart
see the clinician page, which records one chart read; a participant sees only their own
progress, under their own account, and reading one's own record records nothing.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.outcomes import charts
from openiop.outcomes.progress import (
    clinician_chart,
    participant_chart,
    participant_summary,
    progress_for,
)
from openiop.participants.access import get_participant_for_user, own_chart


@require_GET
@login_required
def progress(request: AuthedRequest, code: str) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    participant, _ = get_participant_for_user(request.user, code)
    zone = str(request.viewer_zone)  # type: ignore[attr-defined]
    found = progress_for(participant)
    measures = [
        (measure, charts.render(clinician_chart(measure, zone=zone))) for measure in found.measures
    ]
    return render(
        request,
        "outcomes/progress_clinician.html",
        {"participant": participant, "measures": measures},
    )


@require_GET
@login_required
def my_progress(request: AuthedRequest) -> HttpResponse:
    participant = own_chart(request.user)
    zone = str(request.viewer_zone)  # type: ignore[attr-defined]
    found = progress_for(participant)
    measures = [
        (
            measure,
            participant_summary(measure, zone=zone),
            charts.render(participant_chart(measure, zone=zone)),
        )
        for measure in found.measures
    ]
    return render(
        request,
        "outcomes/progress_participant.html",
        {"participant": participant, "measures": measures},
    )
