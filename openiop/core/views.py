from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from openiop.accounts.http import AuthedRequest
from openiop.participants import access


@require_GET
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if request.user.is_staff_member:
        return redirect("participants:caseload")
    participant = access.visible_participants(request.user).first()
    return render(request, "core/participant_home.html", {"participant": participant})
