import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.lib import recurrence
from openiop.lib.hours import week_bounds
from openiop.lib.ics import FeedEvent, build_feed
from openiop.lib.urls import code_url
from openiop.participants import access as participant_access
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone
from openiop.programs import access as programs
from openiop.programs.models import Group
from openiop.scheduling import access, actions, queries
from openiop.scheduling.booking_status import booking_status
from openiop.scheduling.errors import LicensureError, SchedulingError
from openiop.scheduling.forms import (
    AdmitForm,
    AppointmentForm,
    AttendanceForm,
    CancelSessionForm,
    CapacityForm,
    ClosureForm,
    ExtraSessionForm,
    HolidayForm,
    ReminderPreferenceForm,
)
from openiop.scheduling.models import (
    Booking,
    CalendarFeed,
    Enrollment,
    ReminderPreference,
    Session,
)

# The feed covers what a calendar needs: the recent past and the months ahead.
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=180)


def _local_today(zone: str) -> date:
    return timezone.now().astimezone(recurrence.get_zone(zone)).date()


def _week_links(monday: date) -> dict[str, str]:
    return {
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
    }


@contextmanager
def _flash_outcome(
    request: AuthedRequest,
    success: str,
    errors: tuple[type[Exception], ...] = (SchedulingError,),
) -> Iterator[None]:
    """Flash `success` when the block completes, or the message of an error it raises."""
    try:
        yield
    except errors as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)


def _flash_form_errors(request: AuthedRequest, form: Form) -> None:
    for errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in errors))


# --- Participant pages ----------------------------------------------------------------------


def _own_participant(user: User) -> Participant:
    participant = participant_access.own_chart(user)
    if participant.program is None:
        raise Http404
    return participant


@require_GET
@login_required
def my_week(request: AuthedRequest) -> HttpResponse:
    participant = _own_participant(request.user)
    zone = participant.timezone
    monday = queries.parse_week(request.GET.get("week"), _local_today(zone))
    # The participant's week runs Monday to Sunday in their own timezone.
    start, end = week_bounds(monday, zone)
    bookings = queries.participant_bookings(participant, start, end)
    now = timezone.now()
    rows = [
        {
            "booking": b,
            "start": b.session.local_start(zone),
            "end": b.session.local_end(zone),
            "status": booking_status(b, now),
        }
        for b in bookings
    ]
    try:
        preference = participant.reminder_preference
    except ReminderPreference.DoesNotExist:
        preference = ReminderPreference(participant=participant)
    return render(
        request,
        "scheduling/my_week.html",
        {
            "participant": participant,
            "zone": zone,
            "monday": monday,
            "sunday": monday + timedelta(days=6),
            "rows": rows,
            "ledger": queries.ledger(participant, monday),
            "preference_form": ReminderPreferenceForm(
                initial={"sms": preference.sms, "email": preference.email}
            ),
            **_week_links(monday),
        },
    )


@require_POST
@login_required
def reminder_preferences(request: AuthedRequest) -> HttpResponse:
    participant = _own_participant(request.user)
    form = ReminderPreferenceForm(request.POST)
    form.is_valid()
    actions.set_reminder_preference(
        participant,
        sms=form.cleaned_data.get("sms", False),
        email=form.cleaned_data.get("email", False),
        acting_user=request.user,
    )
    messages.success(request, gettext("Reminder settings saved."))
    # The form sits on My week and on the portal's settings page: go back to where it was.
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("scheduling:my_week")


# --- Calendar feeds -------------------------------------------------------------------------


@require_GET
@login_required
def calendar(request: AuthedRequest) -> HttpResponse:
    has_feed = CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).exists()
    return render(request, "scheduling/calendar.html", {"has_feed": has_feed})


@require_POST
@login_required
def calendar_new(request: AuthedRequest) -> HttpResponse:
    token = actions.create_calendar_feed(request.user, acting_user=request.user)
    feed_url = request.build_absolute_uri(reverse("scheduling:feed", args=[token]))
    return render(request, "scheduling/calendar.html", {"has_feed": True, "feed_url": feed_url})


@require_POST
@login_required
def calendar_revoke(request: AuthedRequest) -> HttpResponse:
    actions.revoke_calendar_feed(request.user, acting_user=request.user)
    messages.success(request, gettext("Your calendar link no longer works."))
    return redirect("scheduling:calendar")


def _feed_sessions(user: User) -> tuple[list[Session], str]:
    now = timezone.now()
    window = Q(starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_AHEAD)
    if user.is_participant:
        participant = participant_access.own_chart(user)
        sessions = Session.objects.filter(
            window,
            bookings__participant=participant,
            bookings__status=Booking.Status.BOOKED,
        )
        return list(sessions.order_by("starts_at")), str(participant.timezone)
    sessions = Session.objects.filter(window).filter(
        Q(clinician=user) | Q(group_id__in=programs.facilitated_group_ids(user))
    )
    return list(sessions.order_by("starts_at")), str(user.timezone)


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A private ICS feed: the secret token is the only credential, so calendar apps can poll."""
    user = access.get_calendar_feed(actions.hash_feed_token(token)).user
    sessions, zone = _feed_sessions(user)
    link = request.build_absolute_uri(reverse("home"))
    body = build_feed(
        [
            FeedEvent(
                uid=f"{session.code}@openiop",
                start=session.starts_at,
                end=session.ends_at,
                cancelled=session.is_cancelled,
                sequence=session.sequence,
                url=link,
            )
            for session in sessions
        ],
        zone=zone,
        now=timezone.now(),
    )
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- Director and coordinator pages ---------------------------------------------------------


@require_GET
@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """Staff's way in: the programs whose week they see and the groups they facilitate."""
    if not request.user.is_staff_member:
        raise Http404
    programs = access.programs_for_user(request.user)
    by_program: dict[int, list] = {}
    for group in queries.program_groups(programs):
        by_program.setdefault(group.track.program_id, []).append(group)
    return render(
        request,
        "scheduling/index.html",
        {
            "programs": [(program, by_program.get(program.pk, [])) for program in programs],
            "groups": access.facilitated_groups(request.user),
        },
    )


def _link_grid(rows: list[queries.GridRow]) -> None:
    """Each group's roster link and each session's, for the ~700 links of a week."""
    roster_url, session_url = code_url("scheduling:roster"), code_url("scheduling:session")
    for row in rows:
        row.url = roster_url(row.group.code)
        for sessions in row.days:
            for session in sessions:
                session.url = session_url(session.code)  # type: ignore[attr-defined]


@require_GET
@login_required
def week_grid(request: AuthedRequest, code: str) -> HttpResponse:
    program, program_access = access.get_program_for_user(request.user, code)
    monday = queries.parse_week(request.GET.get("week"), _local_today(program.timezone))
    days, rows = queries.week_grid(program, monday)
    _link_grid(rows)
    director = program_access == access.Access.WRITE
    return render(
        request,
        "scheduling/week_grid.html",
        {
            "program": program,
            "monday": monday,
            "days": days,
            "rows": rows,
            "is_director": director,
            "holiday_form": HolidayForm(today=_local_today(program.timezone)) if director else None,
            **_week_links(monday),
        },
    )


@require_POST
@login_required
def add_holiday(request: AuthedRequest, code: str) -> HttpResponse:
    program = access.get_program_for_director(request.user, code)
    form = HolidayForm(request.POST, today=_local_today(program.timezone))
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect("scheduling:week_grid", program.code)
    with _flash_outcome(request, "Holiday added; its sessions are cancelled."):
        actions.add_holiday(
            program,
            day=form.cleaned_data["day"],
            name=form.cleaned_data["name"],
            acting_user=request.user,
        )
    url = reverse("scheduling:week_grid", args=[program.code])
    return redirect(f"{url}?week={form.cleaned_data['day'].isoformat()}")


@require_http_methods(["GET", "POST"])
@login_required
def closures(request: AuthedRequest, code: str) -> HttpResponse:
    """Holidays and closures (program setup, docs/programs.md): a first POST lists the group
    sessions the dates would cancel; the second, confirmed, closes them (add_closure)."""
    program = access.get_program_for_director(request.user, code)
    today = _local_today(program.timezone)
    form = ClosureForm(request.POST or None, today=today)
    affected = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            first, last = form.cleaned_data["first_day"], form.cleaned_data["last_day"]
            affected = queries.sessions_on_days(program, first, last)
            if form.confirmed() or not affected:
                try:
                    closed = actions.add_closure(
                        program,
                        first_day=first,
                        last_day=last,
                        name=form.cleaned_data["name"],
                        acting_user=request.user,
                    )
                except SchedulingError as error:
                    form.add_error(None, str(error))
                    affected = None
                else:
                    messages.success(
                        request,
                        f"Closed {len(closed)} day(s); {len(affected)} session(s) cancelled "
                        "and their participants told.",
                    )
                    return redirect("scheduling:closures", program.code)
            else:
                status = 200
                form = ClosureForm(
                    initial={
                        **form.cleaned_data,
                        "confirm": f"{first.isoformat()}:{last.isoformat()}",
                    },
                    today=today,
                )
    return render(
        request,
        "scheduling/closures.html",
        {
            "program": program,
            "form": form,
            "affected": affected,
            "holidays": program.holidays.filter(date__gte=today).order_by("date"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def admit(request: AuthedRequest, code: str) -> HttpResponse:
    group, _ = access.get_group_for_user(request.user, code, manage=True)
    program = group.track.program
    candidates = (
        participant_access.visible_participants(request.user)
        .filter(program=program)
        .exclude(
            enrollments__group=group,
            enrollments__status__in=Enrollment.OPEN_STATUSES,
        )
        .order_by("family_name", "given_name")
    )
    initial: dict[str, Any] = {"starts_on": _local_today(program.timezone)}
    # Links from a refusal's "groups that fit" carry the person and the start date along.
    try:
        chosen = candidates.filter(code=request.GET.get("participant", "")).first()
    except ValidationError:
        chosen = None
    if chosen is not None:
        initial["participant"] = chosen.pk
    with contextlib.suppress(ValueError, TypeError):
        initial["starts_on"] = date.fromisoformat(request.GET.get("starts_on", ""))
    form = AdmitForm(
        request.POST or None,
        participants=candidates,
        can_override=access.is_director(request.user, program.pk),
        initial=initial,
    )
    alternatives: list[Group] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        waiting_for = queries.other_waitlists(data["participant"], group)
        try:
            enrollment = actions.admit(
                data["participant"],
                group,
                starts_on=data["starts_on"],
                expected_end_on=data["expected_end_on"],
                priority=data["priority"],
                taper_weeks=data["taper_weeks"] or 0,
                taper_sessions_per_week=data["taper_sessions_per_week"],
                licensure_override=data.get("licensure_override", ""),
                acting_user=request.user,
            )
        except LicensureError as error:
            form.add_error(None, str(error))
            alternatives = error.alternatives
        except (SchedulingError, recurrence.RecurrenceError) as error:
            form.add_error(None, str(error))
        except OverflowError:
            # The enrollment's end and sessions are computed from the dates typed.
            form.add_error(None, "Choose dates that are not so far in the future.")
        else:
            if enrollment.status == Enrollment.Status.SEATED:
                left = f" They no longer wait for {', '.join(waiting_for)}." if waiting_for else ""
                messages.success(request, f"Admitted: the participant's schedule is ready.{left}")
            else:
                messages.success(request, "The group is full: the participant is on the waitlist.")
            return redirect("scheduling:roster", group.code)
    status = 400 if form.is_bound else 200
    alternative_query = ""
    if alternatives:
        alternative_query = urlencode(
            {
                "participant": form.cleaned_data["participant"].code,
                "starts_on": form.cleaned_data["starts_on"].isoformat(),
            }
        )
    return render(
        request,
        "scheduling/admit.html",
        {
            "group": group,
            "form": form,
            "alternatives": alternatives,
            "alternative_query": alternative_query,
            "track_groups": queries.track_groups(group, _local_today(program.timezone)),
        },
        status=status,
    )


@require_GET
@login_required
def roster(request: AuthedRequest, code: str) -> HttpResponse:
    group, group_access = access.get_group_for_user(request.user, code, read=True)
    program = group.track.program
    can_manage = group_access == access.Access.WRITE
    today = _local_today(program.timezone)
    members = (
        group.enrollments.filter(status=Enrollment.Status.SEATED)
        .select_related("participant")
        .order_by("participant__family_name", "participant__given_name")
    )
    waitlist = (
        group.enrollments.filter(status=Enrollment.Status.WAITLISTED)
        .select_related("participant")
        .order_by("-priority", "requested_at", "pk")
        if can_manage
        else Enrollment.objects.none()
    )
    sessions = group.sessions.filter(
        local_date__gte=today - timedelta(days=7), local_date__lte=today + timedelta(days=14)
    ).order_by("starts_at")
    return render(
        request,
        "scheduling/roster.html",
        {
            "group": group,
            "program": program,
            "facilitators": group.facilitator_roles.select_related("clinician"),
            "licensure_conflicts": queries.licensure_conflicts(group, today),
            "topic": group.topic_for(today),
            "members": members,
            "waitlist": waitlist,
            "sessions": sessions,
            "can_manage": can_manage,
            "is_director": access.is_director(request.user, program.pk),
            "capacity_form": CapacityForm(initial={"capacity": group.capacity}),
            "extra_form": ExtraSessionForm(),
        },
    )


@require_POST
@login_required
def set_capacity(request: AuthedRequest, code: str) -> HttpResponse:
    group = access.get_group_for_director(request.user, code)
    form = CapacityForm(request.POST)
    if form.is_valid():
        with _flash_outcome(request, "Capacity saved."):
            actions.set_capacity(
                group, capacity=form.cleaned_data["capacity"], acting_user=request.user
            )
    else:
        messages.error(request, "Enter a number of seats.")
    return redirect("scheduling:roster", group.code)


@require_POST
@login_required
def add_extra_session(request: AuthedRequest, code: str) -> HttpResponse:
    group = access.get_group_for_director(request.user, code)
    form = ExtraSessionForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect("scheduling:roster", group.code)
    data = form.cleaned_data
    if data["day"] < _local_today(group.track.program.timezone):
        messages.error(request, "An extra session cannot be in the past.")
        return redirect("scheduling:roster", group.code)
    with _flash_outcome(
        request,
        "Extra session added; the group's members are booked.",
        errors=(SchedulingError, recurrence.RecurrenceError),
    ):
        actions.add_extra_session(
            group,
            day=data["day"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            fold=data["fold"],
            acting_user=request.user,
        )
    return redirect("scheduling:roster", group.code)


@require_POST
@login_required
def end_enrollment(request: AuthedRequest, code: str) -> HttpResponse:
    enrollment = access.get_enrollment_for_user(request.user, code)
    if enrollment.status == Enrollment.Status.WAITLISTED:
        done = "Removed from the waitlist."
    else:
        done = (
            "Removed from this group; a waiting participant takes any free seat. The episode "
            "of care goes on: to end it, discharge the participant."
        )
    with _flash_outcome(request, done):
        actions.end_enrollment(enrollment, acting_user=request.user)
    return redirect("scheduling:roster", enrollment.group.code)


@require_GET
@login_required
def session_detail(request: AuthedRequest, code: str) -> HttpResponse:
    session, session_access = access.get_session_for_user(request.user, code, read=True)
    zone = viewer_zone(request.user)
    bookings = session.bookings.filter(status=Booking.Status.BOOKED).select_related("participant")
    return render(
        request,
        "scheduling/session.html",
        {
            "session": session,
            "zone": zone,
            "start": session.local_start(zone),
            "end": session.local_end(zone),
            "bookings": bookings,
            "started": session.starts_at <= timezone.now(),
            "can_record": session_access == access.Access.WRITE,
            "can_cancel": access.can_cancel(request.user, session),
            "cancel_form": CancelSessionForm(),
            "attendance_choices": Booking.Attendance.choices,
        },
    )


@require_POST
@login_required
def record_attendance(request: AuthedRequest, code: str) -> HttpResponse:
    session, _ = access.get_session_for_user(request.user, code, attend=True)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an attendance status.")
        return redirect("scheduling:session", session.code)
    booking = session.bookings.filter(code=form.cleaned_data["booking"]).first()
    if booking is None:
        raise Http404
    with _flash_outcome(request, "Attendance saved."):
        actions.record_attendance(
            booking,
            attendance=form.cleaned_data["attendance"],
            minutes=form.cleaned_data["minutes"],
            acting_user=request.user,
        )
    return redirect("scheduling:session", session.code)


@require_POST
@login_required
def cancel_session(request: AuthedRequest, code: str) -> HttpResponse:
    session, _ = access.get_session_for_user(request.user, code, cancel=True)
    form = CancelSessionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reason.")
        return redirect("scheduling:session", session.code)
    with _flash_outcome(request, "Session cancelled; participants are told."):
        actions.cancel_session(
            session, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    return redirect("scheduling:session", session.code)


# --- Per-participant pages (through the chart gate) -----------------------------------------


@require_GET
@login_required
def ledger(request: AuthedRequest, code: str) -> HttpResponse:
    participant, chart_access = participant_access.get_participant_for_user(request.user, code)
    program = participant.program
    if program is None:
        raise Http404
    monday = queries.parse_week(request.GET.get("week"), _local_today(program.timezone))
    start, end = week_bounds(monday, program.timezone)
    can_write = chart_access == access.Access.WRITE
    zone = viewer_zone(request.user)
    week = queries.ledger(participant, monday)
    bookings = queries.participant_bookings(participant, start, end)
    return render(
        request,
        "scheduling/ledger.html",
        {
            "participant": participant,
            "program": program,
            "monday": monday,
            "week": week,
            "zone": zone,
            "rows": [{"booking": b, "start": b.session.local_start(zone)} for b in bookings],
            "offers": [
                {"session": s, "start": s.local_start(zone), "end": s.local_end(zone)}
                for s in queries.makeup_offers(participant, monday)
            ]
            if can_write and week.at_risk
            else [],
            "can_write": can_write,
            **_week_links(monday),
        },
    )


@require_POST
@login_required
def book_makeup(request: AuthedRequest, code: str, session_code: str) -> HttpResponse:
    participant, _ = participant_access.get_participant_for_user(request.user, code, write=True)
    if participant.program is None:
        raise Http404
    monday = queries.parse_week(
        request.POST.get("week"), _local_today(participant.program.timezone)
    )
    offers = {str(s.code): s for s in queries.makeup_offers(participant, monday)}
    session = offers.get(str(session_code))
    if session is None:
        raise Http404
    with _flash_outcome(request, "Make-up session booked."):
        actions.book_makeup(participant, session, acting_user=request.user)
    url = reverse("scheduling:ledger", args=[participant.code])
    return redirect(f"{url}?week={monday.isoformat()}")


@require_http_methods(["GET", "POST"])
@login_required
def new_appointment(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = participant_access.get_participant_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    program = participant.program
    if program is None:
        raise Http404
    clinicians = access.clinicians_for_appointments(program)
    form = AppointmentForm(request.POST or None, clinicians=clinicians)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.book_appointment(
                participant,
                clinician=data["clinician"],
                kind=data["kind"],
                day=data["day"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                fold=data["fold"],
                weeks=data["weeks"],
                acting_user=request.user,
            )
        except (SchedulingError, recurrence.RecurrenceError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Appointment booked.")
            url = reverse("scheduling:ledger", args=[participant.code])
            return redirect(f"{url}?week={data['day'].isoformat()}")
    status = 400 if form.is_bound else 200
    return render(
        request,
        "scheduling/appointment.html",
        {"participant": participant, "program": program, "form": form},
        status=status,
    )
