from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.consent.models import GUARDIAN_KINDS
from openiop.consent.queries import participant_rows
from openiop.consent.views.invitations import OFFER_MFA_SESSION_KEY
from openiop.core import board as operations
from openiop.core import health as health_checks
from openiop.core import worklist
from openiop.lib.dbrouter import replica_reads
from openiop.participants import access
from openiop.participants.zones import viewer_zone
from openiop.portal import views as portal_views
from openiop.scheduling.queries import participant_bookings


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. A load balancer restarts or skips a node that does not."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def ready(request: HttpRequest) -> HttpResponse:
    """Readiness: this node can serve pages now (its database and cache answer).

    HAProxy sends no traffic to a node that says 503 here. Only component names and "ok" or the
    error's class, never connection details.
    """
    checks = health_checks.run()
    ok = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ready" if ok else "not ready", "checks": checks}, status=200 if ok else 503
    )


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for a scraper holding OPENIOP_METRICS_TOKEN; anyone else gets 404."""
    if not health_checks.metrics_token_ok(request.headers.get("Authorization", "")):
        raise Http404
    body, content_type = health_checks.exposition()
    return HttpResponse(body, content_type=content_type)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico wherever a page names no icon (JSON, PDFs, error pages
    # of a proxy); the icon itself is static/favicon.svg, linked from every page.
    response = redirect(static("favicon.svg"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Participants: Today (openiop/portal). Clinicians and directors: my work today.
    Intake coordinators: the referrals. Administrators: accounts and program figures."""
    user = request.user
    if user.is_guardian:
        return guardian_home(request)
    if user.role == User.Role.ADMINISTRATOR:
        return render(request, "core/admin_home.html")
    if user.role == User.Role.INTAKE_COORDINATOR:
        return redirect("intake:referrals")
    if user.is_staff_member:
        if not worklist.has_worklist(user):
            return redirect("participants:caseload")
        now = timezone.now()
        zone = viewer_zone(user)
        return render(
            request,
            "core/worklist.html",
            {"work": worklist.worklist(user, now=now, zone=zone), "now": now},
        )
    # Participants: Today, the portal's home page. Once, right after accepting a portal
    # invitation, it offers the (optional) second factor.
    offer_mfa = request.session.pop(OFFER_MFA_SESSION_KEY, False)
    return portal_views.today(request, offer_mfa=offer_mfa)


# How far ahead the guardian portal lists sessions.
GUARDIAN_WINDOW = timedelta(days=14)


def guardian_home(request: AuthedRequest) -> HttpResponse:
    """A parent's or guardian's portal: for each participant they look after, the upcoming
    session times and the consents to care, which the guardian may sign for them. Nothing
    else of the chart (docs/consent.md)."""
    now = timezone.now()
    people = [
        {
            "participant": participant,
            "bookings": participant_bookings(participant, now, now + GUARDIAN_WINDOW),
            "consents": participant_rows(participant, list(GUARDIAN_KINDS)),
        }
        for participant in access.open_guardian_portal(request.user)
    ]
    return render(
        request,
        "core/guardian_home.html",
        {
            "people": people,
            "offer_mfa": request.session.pop(OFFER_MFA_SESSION_KEY, False),
        },
    )


@require_GET
@login_required
def team_worklist(request: AuthedRequest) -> HttpResponse:
    """Late and unsigned notes of a director's programs and a supervisor's supervisees."""
    if not worklist.has_team(request.user):
        raise Http404
    return render(
        request,
        "core/team_worklist.html",
        {"team": worklist.team_worklist(request.user, now=timezone.now())},
    )


@require_GET
@login_required
def board_index(request: AuthedRequest) -> HttpResponse:
    """The operations board of the program the director directs (a choice when several)."""
    directed = list(operations.directed_programs(request.user))
    if not directed:
        raise Http404
    if len(directed) == 1:
        return redirect("core:board", directed[0].code)
    return render(request, "core/board_index.html", {"programs": directed})


@require_GET
@login_required
def board(request: AuthedRequest, code: str) -> HttpResponse:
    """A director's operations board for one program they direct; everyone else 404."""
    program = operations.get_program_for_board(request.user, code)
    # Access on the primary; the board's counts may come from the replica (lib/dbrouter.py).
    with replica_reads():
        board = operations.board(program, now=timezone.now())
    return render(request, "core/board.html", {"board": board})
