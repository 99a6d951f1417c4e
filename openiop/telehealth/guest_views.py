"""Guests in a session: the clinician's invitations, and the guest's own pages.

The guest's pages need no sign-in: the link's page (consent) binds the browser to one
invitation (access.set_guest_marker), and the waiting room, the room and the room's calls find
the invitation through that marker only (access.get_guest). Nothing else in OpenIOP reads it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest

from . import access, actions, queries
from .forms import GuestConsentForm, GuestInviteForm, PresenceForm
from .models import GuestInvite, Room
from .nodes import node_public_url, public_urls
from .schedule import SessionInfo
from .views import _after_facilitator_post


def _room_for(info: SessionInfo) -> Room | None:
    return Room.objects.filter(session_code=info.code).first()


def _invites_context(info: SessionInfo) -> dict[str, object]:
    now = timezone.now()
    invites = GuestInvite.objects.filter(session_code=info.code).order_by("-created_at")
    try:
        actions.check_guests_allowed(info)
        refused = ""
    except actions.GuestRefused as exc:
        refused = str(exc)
    return {
        "info": info,
        "refused": refused,
        "invites": [(invite, invite.status(now)) for invite in invites],
        "max_guests": actions.MAX_GUESTS,
    }


def _render_invites(
    request: HttpRequest, context: dict[str, object], *, status: int = 200
) -> HttpResponse:
    template = (
        "telehealth/_guests.html" if request.headers.get("HX-Request") else "telehealth/guests.html"
    )
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def guests(request: AuthedRequest, code: str) -> HttpResponse:
    """Invite a guest to the session (the link is shown once), and the session's invitations."""
    info = access.get_facilitator_session(request.user, code)
    form = GuestInviteForm(request.POST if request.method == "POST" else None)
    status = 200
    created = None
    if request.method == "POST":
        if not form.is_valid():
            status = 400
        else:
            try:
                invite, token = actions.create_invite(
                    info,
                    role=form.cleaned_data["role"],
                    display_name=form.cleaned_data["display_name"],
                    acting_user=request.user,
                )
            except actions.GuestRefused as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                link = request.build_absolute_uri(reverse("telehealth:guest_link", args=[token]))
                phone = form.cleaned_data["phone"]
                sent = actions.send_invite_link(
                    invite,
                    link,
                    email=form.cleaned_data["email"],
                    phone=phone.as_e164 if phone else "",
                    acting_user=request.user,
                )
                created = {"invite": invite, "link": link, "sent": sent}
                form = GuestInviteForm()
    context = {**_invites_context(info), "form": form, "created": created}
    return _render_invites(request, context, status=status)


@require_POST
@login_required
def guest_revoke(request: AuthedRequest, code: str, invite_code: str) -> HttpResponse:
    info, invite = access.get_invite_for_facilitator(request.user, code, invite_code)
    actions.revoke_invite(invite, _room_for(info), acting_user=request.user)
    if request.POST.get("next") == "panel":
        return _after_facilitator_post(request, info)
    if request.headers.get("HX-Request"):
        context = {**_invites_context(info), "form": GuestInviteForm(), "created": None}
        return render(request, "telehealth/_guests.html", context)
    return redirect("telehealth:guests", info.code)


@require_POST
@login_required
def guest_admit(request: AuthedRequest, code: str, invite_code: str) -> HttpResponse:
    info, invite = access.get_invite_for_facilitator(request.user, code, invite_code)
    actions.admit_guest(invite, acting_user=request.user)
    return _after_facilitator_post(request, info)


# The guest's own pages: no sign-in.


def _message(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(request, "telehealth/guest_message.html", {"problem": message}, status=status)


SIGNED_IN = gettext_noop(
    "You are signed in to OpenIOP. A guest link opens only in a browser where nobody is signed "
    "in: open it in a private window, or sign out first."
)


@require_http_methods(["GET", "POST"])
def guest_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link a guest received: a short consent, then the waiting room."""
    invite = access.invite_for_link(token)
    if invite is None:
        return _message(
            request, gettext("This link is not valid. Ask the clinician for a new one."), status=404
        )
    if request.user.is_authenticated:
        return _message(request, gettext(SIGNED_IN), status=403)
    try:
        access.get_guest(request, invite.code)
    except Http404:
        pass
    else:
        # This browser consented already: carry on where it was.
        return redirect("telehealth:guest_waiting", invite.code)
    info = access.session_for_invite(invite)
    problem = actions.link_problem(invite, timezone.now())
    form = GuestConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (problem or form.is_valid()):
        # A used, withdrawn or expired link is refused (and the refusal audited) here.
        try:
            invite = actions.accept_invite(token)
        except actions.GuestRefused as exc:
            return _message(request, str(exc), status=410)
        access.set_guest_marker(request, invite)
        return redirect("telehealth:guest_waiting", invite.code)
    if problem:
        return _message(request, problem, status=410)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "telehealth/guest_consent.html",
        {"info": info, "invite": invite, "form": form},
        status=status,
    )


@require_GET
def guest_waiting(request: HttpRequest, code: str) -> HttpResponse:
    info, invite = access.get_guest(request, code)
    problem = actions.guest_problem(invite, timezone.now())
    if problem:
        return _message(request, problem, status=410)
    left = request.GET.get("left") == "1"
    if invite.admitted_at is not None and not left:
        return redirect("telehealth:guest_room", invite.code)
    return render(
        request,
        "telehealth/guest_waiting.html",
        {"info": info, "invite": invite, "left": left},
    )


@require_GET
def guest_status(request: HttpRequest, code: str) -> JsonResponse:
    """Polled by the guest's waiting room: has the clinician let me in yet?"""
    info, invite = access.get_guest(request, code)
    room = _room_for(info)
    if invite.revoked_at is not None:
        state = "removed"
    elif invite.is_expired(timezone.now()) or (room is not None and not room.is_open):
        state = "ended"
    else:
        state = "admitted" if invite.admitted_at is not None else "waiting"
    return JsonResponse(
        {"state": state, "roomUrl": reverse("telehealth:guest_room", args=[invite.code])}
    )


def _guest_ticket(request: HttpRequest, info: SessionInfo, invite: GuestInvite) -> dict:
    ticket = actions.issue_guest_ticket(info, invite, request_token=get_token(request))
    ticket["refreshUrl"] = reverse("telehealth:guest_ticket", args=[invite.code])
    ticket["feedsUrl"] = reverse("telehealth:guest_feeds", args=[invite.code])
    return ticket


@require_GET
def guest_room(request: HttpRequest, code: str) -> HttpResponse:
    info, invite = access.get_guest(request, code)
    try:
        ticket = _guest_ticket(request, info, invite)
    except actions.NotAdmitted:
        return redirect("telehealth:guest_waiting", invite.code)
    except actions.TelehealthError as exc:
        return _message(request, str(exc), status=409)
    response = render(
        request,
        "telehealth/room.html",
        {
            "info": info,
            "seat": "guest",
            "ticket": ticket,
            "breakout": False,
            "presence_url": reverse("telehealth:guest_presence", args=[invite.code]),
            "leave_url": reverse("telehealth:guest_waiting", args=[invite.code]) + "?left=1",
        },
    )
    response._csp_update = {"connect-src": public_urls()}  # type: ignore[attr-defined]
    return response


@require_POST
def guest_ticket(request: HttpRequest, code: str) -> JsonResponse:
    """A fresh ticket for a guest's page that lost Janus."""
    info, invite = access.get_guest(request, code)
    try:
        fresh = _guest_ticket(request, info, invite)
        room = actions.ensure_room_on_node(
            Room.objects.get(session_code=info.code), acting_user=None
        )
    except actions.VideoUnavailable as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    except actions.TelehealthError as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    fresh["server"] = node_public_url(room.janus_node)
    return JsonResponse(fresh)


@require_POST
def guest_presence(request: HttpRequest, code: str) -> HttpResponse:
    info, invite = access.get_guest(request, code)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "bad event"}, status=400)
    try:
        actions.record_guest_presence(
            invite, form.cleaned_data["kind"], info=info, room=_room_for(info)
        )
    except actions.NotAdmitted as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    return HttpResponse(status=204)


@require_POST
def guest_feeds(request: HttpRequest, code: str) -> JsonResponse:
    """Who is who in the room, for an admitted guest's page (views.feeds for the others)."""
    info, invite = access.get_guest(request, code)
    if invite.admitted_at is None or actions.guest_problem(invite, timezone.now()):
        return JsonResponse({"error": "not in the session"}, status=403)
    room = Room.objects.filter(session_code=info.code, status=Room.Status.OPEN).first()
    if room is None:
        return JsonResponse({"feeds": {}})
    actions.check_feeds(room, info, acting_user=None)
    names = queries.feed_names(queries.assigned_feeds(room, info), breakout=False)
    return JsonResponse({"feeds": names})
