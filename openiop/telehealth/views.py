from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.consent.models import ConsentKind
from openiop.consent.queries import missing_before_first_session
from openiop.participants.access import own_chart
from openiop.participants.models import Participant

from . import access, actions, crisis, janus, queries
from .access import Seat
from .forms import CallForm, CorrectionForm, LocationForm, PresenceForm
from .models import Attendance, Room
from .nodes import configured_nodes, get_node, node_public_url, public_urls
from .schedule import SessionInfo


def _room_for(info: SessionInfo) -> Room | None:
    return Room.objects.filter(session_code=info.code).first()


def _attendance(info: SessionInfo, participant: Participant) -> Attendance | None:
    return Attendance.objects.filter(session_code=info.code, participant=participant).first()


def _window_problem(info: SessionInfo) -> str:
    try:
        queries.check_window(info)
    except actions.TelehealthError as exc:
        return str(exc)
    return ""


@require_GET
@login_required
def video_health(request: AuthedRequest) -> JsonResponse:
    """Whether video works right now (shown on the pre-join page)."""
    if not settings.TELEHEALTH_ENABLED:
        return JsonResponse({"available": False, "detail": "not configured"})
    # Available when any node of the pool answers (a room goes to one that does).
    health = janus.connect_node().health()
    for config in configured_nodes()[1:]:
        if health.ok:
            break
        health = janus.connect_node(config.name).health()
    body: dict[str, object] = {"available": health.ok}
    if request.user.is_staff_member:
        body["detail"] = health.detail
    return JsonResponse(body)


@require_GET
@login_required
def sessions(request: AuthedRequest) -> HttpResponse:
    """My video sessions: today's and upcoming, with a way in when they are open."""
    now = timezone.now()
    upcoming = access.upcoming_sessions(request.user, since=now - queries.CLOSE_GRACE)
    rows = [(info, not _window_problem(info)) for info in upcoming]
    return render(
        request,
        "telehealth/sessions.html",
        {"rows": rows, "opens_minutes": settings.TELEHEALTH_OPENS_MINUTES_BEFORE},
    )


@require_http_methods(["GET", "POST"])
@login_required
def join(request: AuthedRequest, code: str) -> HttpResponse:
    """Pre-join: camera/microphone and connection check, then (participants) the location gate."""
    info, seat = access.get_session_for_user(request.user, code)
    problem = _window_problem(info)
    context: dict[str, object] = {"info": info, "seat": seat.value, "problem": problem}
    if seat is Seat.FACILITATOR:
        if request.method == "POST":
            return HttpResponse(status=405)
        return render(request, "telehealth/join.html", context)

    participant = own_chart(request.user)
    # Required consents gate the way in: the page names them, each linked to its sign page.
    missing = [ConsentKind(kind) for kind in missing_before_first_session(participant)]
    context["missing_consents"] = missing
    current = _attendance(info, participant)
    if (
        current is not None
        and current.state == Attendance.State.ADMITTED
        and not problem
        and not missing
    ):
        return redirect("telehealth:room", info.code)
    previous = current or queries.last_location(participant)
    initial = {}
    if previous is not None:
        # "Same as last time": prefilled, to be confirmed.
        initial = {
            "location": previous.location,
            "location_state": previous.location_state,
            "callback_phone": previous.callback_phone,
        }
    form = LocationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and missing:
        status = 403
    elif request.method == "POST" and not problem:
        if form.is_valid():
            try:
                actions.confirm_location(
                    info, participant, acting_user=request.user, **form.cleaned_data
                )
            except actions.TelehealthError as exc:
                form.add_error(None, str(exc))
                forbidden = (actions.NotLicensedThere, actions.ConsentsMissing)
                status = 403 if isinstance(exc, forbidden) else 409
            else:
                return redirect("telehealth:waiting", info.code)
        else:
            status = 400
    context.update({"form": form, "prefilled": previous is not None})
    return render(request, "telehealth/join.html", context, status=status)


@require_GET
@login_required
def waiting(request: AuthedRequest, code: str) -> HttpResponse:
    info, participant = access.get_participant_seat(request.user, code)
    current = _attendance(info, participant)
    if current is None:
        return redirect("telehealth:join", info.code)
    if current.state == Attendance.State.ADMITTED:
        return redirect("telehealth:room", info.code)
    return render(
        request,
        "telehealth/waiting.html",
        {"info": info, "attendance": current, "problem": _window_problem(info)},
    )


@require_GET
@login_required
def status(request: AuthedRequest, code: str) -> JsonResponse:
    """Polled by the waiting room: has a facilitator let me in yet?"""
    info, participant = access.get_participant_seat(request.user, code)
    current = _attendance(info, participant)
    room = _room_for(info)
    state = current.state if current else "none"
    if room is not None and not room.is_open:
        state = "ended"
    return JsonResponse(
        {
            "state": state,
            "breakout": bool(current and current.in_breakout),
            "roomUrl": reverse("telehealth:room", args=[info.code]),
        }
    )


def _ticket_for(
    request: AuthedRequest, info: SessionInfo, seat: Seat, *, breakout: bool = False
) -> dict[str, object]:
    """Raises TelehealthError when this person may not be in the room right now.

    Participants go where the facilitators put them (group or breakout); staff choose.
    """
    queries.check_window(info)
    participant = None
    if seat is Seat.PARTICIPANT:
        participant = own_chart(request.user)
        if missing_before_first_session(participant):
            raise actions.ConsentsMissing(
                gettext("Please sign the consent forms your program needs before you join.")
            )
        current = _attendance(info, participant)
        if current is None or current.state != Attendance.State.ADMITTED:
            raise actions.NotAdmitted(gettext("A facilitator has not let you in yet."))
        room = Room.objects.filter(session_code=info.code, status=Room.Status.OPEN).first()
        if room is None:
            raise actions.NotAdmitted(gettext("The facilitator has not opened the room yet."))
        breakout = current.in_breakout
    else:
        room = actions.get_or_open_room(info, acting_user=request.user)
    if not room.is_open:
        raise actions.SessionOver(gettext("This session has ended."))
    if breakout and not room.breakout_janus_room_id:
        raise actions.NotOpenYet(gettext("Nobody has been moved to the breakout room yet."))
    ticket = actions.issue_ticket(
        info,
        room,
        display=queries.display_name(request.user, participant),
        acting_user=request.user,
        participant=participant,
        breakout=breakout,
    )
    refresh = reverse("telehealth:ticket", args=[info.code])
    feeds = reverse("telehealth:feeds", args=[info.code])
    staff_in_breakout = breakout and participant is None
    ticket["refreshUrl"] = f"{refresh}?breakout=1" if staff_in_breakout else refresh
    ticket["feedsUrl"] = f"{feeds}?breakout=1" if staff_in_breakout else feeds
    ticket["csrfToken"] = get_token(request)
    ticket["audioOnly"] = False
    return ticket


@require_GET
@login_required
def room(request: AuthedRequest, code: str) -> HttpResponse:
    info, seat = access.get_session_for_user(request.user, code)
    try:
        ticket = _ticket_for(request, info, seat, breakout=request.GET.get("breakout") == "1")
    except actions.NotAdmitted:
        return redirect("telehealth:waiting", info.code)
    except actions.TelehealthError as exc:
        return render(
            request, "telehealth/unavailable.html", {"info": info, "problem": str(exc)}, status=409
        )
    response = render(
        request,
        "telehealth/room.html",
        {
            "info": info,
            "seat": seat.value,
            "ticket": ticket,
            "presence_url": reverse("telehealth:presence", args=[info.code]),
            "status_url": reverse("telehealth:status", args=[info.code]),
            "breakout": ticket["breakout"],
            # One id per page view: the list's polls record one read between them.
            "waiting_list_url": reverse("telehealth:waiting_list", args=[info.code])
            + f"?view={secrets.token_urlsafe(12)}"
            + ("&in=breakout" if ticket["breakout"] else ""),
            "help_url": reverse("telehealth:help", args=[info.code]),
            "guests_url": reverse("telehealth:guests", args=[info.code])
            if info.kind in actions.GUEST_SESSION_KINDS and seat is Seat.FACILITATOR
            else "",
        },
    )
    # The browser talks to Janus directly; allow exactly the pool's nodes (the room may move).
    response._csp_update = {"connect-src": public_urls()}  # type: ignore[attr-defined]
    return response


@require_POST
@login_required
def ticket(request: AuthedRequest, code: str) -> JsonResponse:
    """A fresh ticket for a client that lost Janus; puts the room back if Janus restarted, or
    on another node if its node died (the ticket then names the new node)."""
    info, seat = access.get_session_for_user(request.user, code)
    try:
        fresh = _ticket_for(request, info, seat, breakout=request.GET.get("breakout") == "1")
        room = Room.objects.get(session_code=info.code)
        room = actions.ensure_room_on_node(room, acting_user=request.user)
    except actions.VideoUnavailable as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    except actions.TelehealthError as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    fresh["server"] = node_public_url(room.janus_node)
    return JsonResponse(fresh)


@require_POST
@login_required
def presence(request: AuthedRequest, code: str) -> HttpResponse:
    info, seat = access.get_session_for_user(request.user, code)
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "bad event"}, status=400)
    if seat is Seat.FACILITATOR:
        # Staff time is not counted from video presence.
        return JsonResponse({"recorded": False})
    participant = own_chart(request.user)
    current = _attendance(info, participant)
    if current is None:
        return JsonResponse({"error": "not in the waiting room"}, status=403)
    try:
        actions.record_presence(
            current,
            form.cleaned_data["kind"],
            acting_user=request.user,
            info=info,
            room=_room_for(info),
        )
    except actions.NotAdmitted as exc:
        return JsonResponse({"error": str(exc)}, status=403)
    return HttpResponse(status=204)


@require_POST
@login_required
def feeds(request: AuthedRequest, code: str) -> JsonResponse:
    """Who is who in the room, by Janus publisher id, from OpenIOP's records.

    Asked by the room page when it sees a publisher it cannot name; the room is checked first,
    so a publisher the server did not assign is removed rather than named.
    """
    info, seat = access.get_session_for_user(request.user, code)
    breakout = request.GET.get("breakout") == "1"
    if seat is Seat.PARTICIPANT:
        current = _attendance(info, own_chart(request.user))
        if current is None or current.state != Attendance.State.ADMITTED:
            return JsonResponse({"error": "not in the session"}, status=403)
        breakout = current.in_breakout
    room = Room.objects.filter(session_code=info.code, status=Room.Status.OPEN).first()
    if room is None:
        return JsonResponse({"feeds": {}})
    actions.check_feeds(room, info, acting_user=request.user)
    names = queries.feed_names(queries.assigned_feeds(room, info), breakout=breakout)
    return JsonResponse({"feeds": names})


@require_POST
@login_required
def request_help(request: AuthedRequest, code: str) -> JsonResponse:
    info, participant = access.get_participant_seat(request.user, code)
    current = _attendance(info, participant)
    if current is None or current.state != Attendance.State.ADMITTED:
        return JsonResponse({"error": "not in the session"}, status=403)
    actions.request_help(current, acting_user=request.user)
    return JsonResponse({"sent": True})


@require_POST
@login_required
def acknowledge_help(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    info, item = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    actions.acknowledge_help(item, acting_user=request.user)
    return _after_facilitator_post(request, info)


def _people(request: AuthedRequest, info: SessionInfo) -> dict[str, object]:
    """The facilitators' panel: who waits (with open safety alerts), who is in, and a crisis
    card for anyone who asked for help or dropped out during an emergency alert."""
    people = list(crisis.session_people(info))
    alerts = crisis.open_alerts([a.participant_id for a in people], request.user)
    for item in people:
        item.open_alerts = alerts.get(item.participant_id, [])  # type: ignore[attr-defined]
    admitted = [a for a in people if a.state == Attendance.State.ADMITTED]
    cards = crisis.crisis_cards(admitted, alerts)
    guests = queries.session_guests(info)
    context: dict[str, object] = {
        "info": info,
        "cards": cards,
        "waiting": [a for a in people if a.state == Attendance.State.WAITING],
        "admitted": admitted,
        "guests_waiting": [g for g in guests if g.admitted_at is None],
        "guests_in": [g for g in guests if g.admitted_at is not None],
        # Someone was moved to the private room with me: my page follows them there.
        "follow": None
        if request.GET.get("in") == "breakout"
        else next(
            (a for a in admitted if a.in_breakout and a.breakout_with_id == request.user.pk),
            None,
        ),
    }
    if cards:
        access.record_crisis_reads(
            request.user,
            info,
            [c.attendance for c in cards],
            page_view=request.GET.get("view", ""),
        )
        staff, default = crisis.staff_choices(info, request.user)
        context.update({"staff": staff, "default_companion": default})
    return context


@require_GET
@login_required
def waiting_list(request: AuthedRequest, code: str) -> HttpResponse:
    """Facilitators only: who waits, and where everyone is (for the emergency plan)."""
    info = access.get_waiting_list(request.user, code, page_view=request.GET.get("view", ""))
    return render(request, "telehealth/waiting_list.html", _people(request, info))


def _after_facilitator_post(request: AuthedRequest, info: SessionInfo) -> HttpResponse:
    if request.headers.get("HX-Request"):
        return render(request, "telehealth/waiting_list.html", _people(request, info))
    return redirect("telehealth:room", info.code)


@require_POST
@login_required
def admit(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    info, attendance = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    actions.admit(attendance, acting_user=request.user)
    return _after_facilitator_post(request, info)


@require_POST
@login_required
def admit_all(request: AuthedRequest, code: str) -> HttpResponse:
    info = access.get_facilitator_session(request.user, code)
    actions.admit_all(info, acting_user=request.user)
    return _after_facilitator_post(request, info)


@require_POST
@login_required
def remove(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    info, attendance = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    actions.remove_participant(attendance, _room_for(info), acting_user=request.user)
    return _after_facilitator_post(request, info)


@require_POST
@login_required
def mute(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    info, item = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    room = _room_for(info)
    if room is not None:
        try:
            actions.set_muted(
                item, room, mute=request.POST.get("mute") != "0", acting_user=request.user
            )
        except actions.VideoUnavailable as exc:
            return HttpResponse(str(exc), status=503)
    return _after_facilitator_post(request, info)


@require_POST
@login_required
def breakout(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    """Move a participant into the private breakout room (crisis check-in) or back.

    `with` names the staff member who joins them there (the crisis card's one-click move).
    """
    info, item = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    to_breakout = request.POST.get("to") != "group"
    companion = None
    if to_breakout and request.POST.get("with"):
        companion = access.get_breakout_companion(info, request.POST["with"])
        if companion is None:
            return HttpResponse("Choose one of this session's facilitators.", status=400)
    room = _room_for(info)
    if room is not None and room.is_open:
        try:
            actions.move(
                item,
                room,
                to_breakout=to_breakout,
                with_user=companion,
                acting_user=request.user,
            )
        except actions.VideoUnavailable as exc:
            return HttpResponse(str(exc), status=503)
    return _after_facilitator_post(request, info)


@require_POST
@login_required
def crisis_call(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    """A call link on the crisis card was pressed (sent as a beacon; the browser dials)."""
    _info, item = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    form = CallForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Unknown number.", status=400)
    actions.record_call(item, form.cleaned_data["number"], acting_user=request.user)
    return HttpResponse(status=204)


@require_POST
@login_required
def end(request: AuthedRequest, code: str) -> HttpResponse:
    info = access.get_facilitator_session(request.user, code)
    room = _room_for(info)
    if room is not None:
        actions.close_room(room, info, acting_user=request.user)
    messages.success(request, "The session has ended for everyone.")
    return redirect("telehealth:attendance", info.code)


@require_GET
@login_required
def attendance(request: AuthedRequest, code: str) -> HttpResponse:
    info = access.get_attendance_sheet(request.user, code)
    now = timezone.now()
    rows = []
    for item in (
        Attendance.objects.filter(session_code=info.code)
        .select_related("participant")
        .prefetch_related("events")
    ):
        rows.append((item, queries.summarize(item, info, now=now)))
    return render(
        request,
        "telehealth/attendance.html",
        {"info": info, "rows": rows, "form": CorrectionForm()},
    )


@require_POST
@login_required
def correct_attendance(request: AuthedRequest, code: str, attendance_code: str) -> HttpResponse:
    info, item = access.get_attendance_for_facilitator(request.user, code, attendance_code)
    # The page has one form per row; these ids are the row's, so the error summary links work.
    form = CorrectionForm(request.POST, auto_id=f"%s-{item.code}")
    if not form.is_valid():
        rows = [(item, queries.summarize(item, info))]
        return render(
            request,
            "telehealth/attendance.html",
            {"info": info, "rows": rows, "form": form, "form_for": item.code},
            status=400,
        )
    actions.correct_attendance(
        item,
        minutes=form.cleaned_data["minutes"],
        reason=form.cleaned_data["reason"],
        acting_user=request.user,
    )
    messages.success(request, "Attendance corrected.")
    return redirect("telehealth:attendance", info.code)


def _ops_only(request: AuthedRequest) -> None:
    """The Janus pool is the administrators' business; everyone else gets 404."""
    if request.user.role != User.Role.ADMINISTRATOR:
        raise Http404


@require_GET
@login_required
def janus_nodes(request: AuthedRequest) -> HttpResponse:
    """Each Janus node: its state, rooms, participants and CPU (administrators only)."""
    _ops_only(request)
    return render(
        request,
        "telehealth/janus_nodes.html",
        {"nodes": queries.node_statuses(), "now": timezone.now()},
    )


@require_POST
@login_required
def janus_node_drain(request: AuthedRequest, name: str) -> HttpResponse:
    """Drain a node (no new rooms; live ones finish there), or put it back in service."""
    _ops_only(request)
    if get_node(name) is None:
        raise Http404
    draining = request.POST.get("draining") == "1"
    actions.set_draining(name, draining, acting_user=request.user)
    messages.success(
        request,
        f"Node {name} is draining: no new rooms go there."
        if draining
        else f"Node {name} takes new rooms again.",
    )
    return redirect("telehealth:nodes")
