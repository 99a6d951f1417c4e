from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.participants import access


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


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
    if request.user.is_staff_member:
        return redirect("participants:caseload")
    participant = access.visible_participants(request.user).first()
    return render(request, "core/participant_home.html", {"participant": participant})
