"""The group note page: attendance, the shared part and each attendee's part in one form.

GET shows the draft (or, once signed, the locked note and each attendee's note); POST saves
it, and with `intent=sign` signs it after the checks. The autosave endpoint takes the same
form: the `edit_version` the page holds in, the new one out, 409 when someone else saved.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.careplans.models import Objective
from openiop.lib.timefmt import format_datetime
from openiop.notes import actions, group_access, group_queries
from openiop.notes.forms_group import AttendeeForm, GroupNoteForm
from openiop.notes.group_checks import Flag
from openiop.notes.models import GroupNote, GroupNoteEntry, Note
from openiop.participants.zones import viewer_zone
from openiop.scheduling.models import Booking, Session


@dataclass
class GroupNotePage:
    """What the form is built from: the roster, each attendee's plan objectives, the draft,
    and what the video room counted."""

    session: Session
    group_note: GroupNote | None
    bookings: list[Booking]
    objectives: dict[int, list[Objective]]
    entries: dict[int, GroupNoteEntry]
    video: dict[int, group_queries.VideoSuggestion]

    @classmethod
    def load(cls, session: Session) -> "GroupNotePage":
        group_note = (
            GroupNote.objects.filter(session=session)
            .select_related("curriculum_module", "signed_by")
            .first()
        )
        bookings = group_queries.roster(session)
        return cls(
            session=session,
            group_note=group_note,
            bookings=bookings,
            objectives=group_queries.plan_objectives(b.participant_id for b in bookings),
            entries=group_queries.entries_by_participant(group_note),
            video=group_queries.video_suggestions(session),
        )

    @property
    def version(self) -> int:
        return self.group_note.edit_version if self.group_note is not None else 0

    def shared_initial(self) -> dict[str, Any]:
        note = self.group_note
        if note is not None:
            return {
                "topic": note.topic,
                "curriculum_module": note.curriculum_module,
                "interventions": note.interventions,
                "shared_text": note.shared_text,
                "edit_version": note.edit_version,
            }
        group = self.session.group
        topic = group.topic_for(self.session.local_date) if group is not None else None
        return {
            "topic": topic.title if topic is not None else "",
            "curriculum_module": topic,
            "edit_version": 0,
        }

    def attendee_initial(self, booking: Booking) -> dict[str, Any]:
        """The draft's line; blanks filled from the booking's recorded attendance, else from
        what the video room counted."""
        initial: dict[str, Any] = {}
        entry = self.entries.get(booking.participant_id)
        if entry is not None:
            initial = {
                "attendance": entry.attendance,
                "minutes": entry.minutes,
                "absence_reason": entry.absence_reason,
                "individual_text": entry.individual_text,
                "objectives": [o.code for o in entry.objectives.all()],
            }
        if not initial.get("attendance"):
            video = self.video.get(booking.participant_id)
            if booking.attendance:
                initial["attendance"] = booking.attendance
                initial["minutes"] = booking.minutes_attended
            elif video is not None:
                initial["attendance"] = video.attendance
                initial["minutes"] = video.minutes
        return initial

    def forms(self, data: QueryDict | None = None) -> tuple[GroupNoteForm, list[AttendeeForm]]:
        shared = GroupNoteForm(data, initial=self.shared_initial(), session=self.session)
        attendees = [
            AttendeeForm(
                data,
                initial=self.attendee_initial(booking),
                booking=booking,
                objectives=self.objectives.get(booking.participant_id, []),
                session_minutes=self.session.minutes,
            )
            for booking in self.bookings
        ]
        return shared, attendees

    def hints(self, booking: Booking) -> list[str]:
        hints = []
        if booking.attendance:
            hints.append(
                f"Recorded: {booking.get_attendance_display()}, {booking.minutes_attended} min."
            )
        video = self.video.get(booking.participant_id)
        if video is not None:
            label = Booking.Attendance(video.attendance).label.lower()
            hints.append(f"Video room: {video.minutes} min ({label}).")
        if not self.objectives.get(booking.participant_id):
            hints.append("No plan objectives yet.")
        return hints

    def flags(self) -> list[Flag] | None:
        if self.group_note is None:
            return None
        return group_queries.checks(self.group_note, self.bookings, self.entries, self.objectives)


def _anchors(page: GroupNotePage, flags: list[Flag] | None) -> list[dict[str, Any]]:
    """Each flag with the id of the part of the form it is about."""
    if flags is None:
        return []
    booking_of = {b.participant_id: b for b in page.bookings}
    fields = {label: name for name, label in group_queries.SHARED_LABELS.items()}
    found = []
    for flag in flags:
        anchor = ""
        if flag.attendee is not None and flag.attendee in booking_of:
            anchor = f"attendee-{booking_of[flag.attendee].code}"
        elif flag.where in fields:
            anchor = f"id_{fields[flag.where]}"
        elif flag.others and flag.others[0] in booking_of:
            anchor = f"attendee-{booking_of[flag.others[0]].code}"
        found.append({"flag": flag, "anchor": anchor})
    return found


def _errors(shared: GroupNoteForm, attendees: list[AttendeeForm]) -> list[dict[str, str]]:
    """Every error of the page's forms, for one error summary linking to each field."""
    errors = []
    for form, who in [(shared, ""), *((a, a.participant.short_name) for a in attendees)]:
        for name, messages_ in form.errors.items():
            field = form[name] if name in form.fields else None
            label = field.label if field is not None else ""
            label = str(label or "")
            prefix = f"{who}, {label.lower()}" if who and label else (label or who)
            for message in messages_:
                errors.append(
                    {
                        "id": field.id_for_label if field is not None else "",
                        "text": f"{prefix}: {message}" if prefix else str(message),
                    }
                )
    return errors


def _render(
    request: AuthedRequest,
    page: GroupNotePage,
    shared: GroupNoteForm,
    attendees: list[AttendeeForm],
    *,
    status: int = 200,
    conflict: str = "",
) -> HttpResponse:
    session = page.session
    zone = viewer_zone(request.user)
    flags = page.flags()
    return render(
        request,
        "notes/group_note.html",
        {
            "session": session,
            "zone": zone,
            "start": session.local_start(zone),
            "end": session.local_end(zone),
            "form": shared,
            "attendees": [
                {"form": form, "booking": form.booking, "hints": page.hints(form.booking)}
                for form in attendees
            ],
            "errors": _errors(shared, attendees),
            "flags": flags,
            "flag_rows": _anchors(page, flags),
            "confirmable": any(f.confirmable for f in flags or []),
            "attendance_open": not session.is_cancelled and session.starts_at <= timezone.now(),
            "conflict": conflict,
            "group_note": page.group_note,
        },
        status=status,
    )


def _render_signed(request: AuthedRequest, page: GroupNotePage) -> HttpResponse:
    session = page.session
    group_note = page.group_note
    assert group_note is not None
    zone = viewer_zone(request.user)
    notes = {
        n.participant_id: n
        for n in Note.objects.filter(group_note=group_note).select_related("participant")
    }
    rows = [
        {
            "booking": booking,
            "entry": page.entries.get(booking.participant_id),
            "note": notes.get(booking.participant_id),
            "url": reverse("notes:note", args=[notes[booking.participant_id].code])
            if booking.participant_id in notes
            else "",
        }
        for booking in page.bookings
    ]
    shared_text = next(iter(notes.values())).shared_text if notes else ""
    return render(
        request,
        "notes/group_note_signed.html",
        {
            "session": session,
            "zone": zone,
            "start": session.local_start(zone),
            "end": session.local_end(zone),
            "group_note": group_note,
            "rows": rows,
            "shared_text": shared_text,
        },
    )


def _save(
    request: AuthedRequest,
    page: GroupNotePage,
    shared: GroupNoteForm,
    attendees: list[AttendeeForm],
    *,
    autosave: bool,
) -> actions.Saved:
    return actions.save_group_note(
        page.session,
        shared=shared.shared_part(),
        attendees=[form.attendee_part() for form in attendees],
        version=shared.cleaned_data["edit_version"],
        acting_user=request.user,
        autosave=autosave,
    )


@require_http_methods(["GET", "POST"])
@login_required
def group_note(request: AuthedRequest, code: str) -> HttpResponse:
    session, _ = group_access.get_group_session_for_writer(
        request.user, code, read=request.method == "GET"
    )
    page = GroupNotePage.load(session)
    here = redirect("notes:group_note", session.code)
    if page.group_note is not None and page.group_note.status == GroupNote.Status.SIGNED:
        if request.method == "POST":
            messages.error(request, str(actions.GroupNoteSigned(page.group_note)))
            return here
        return _render_signed(request, page)
    if request.method == "GET":
        return _render(request, page, *page.forms())

    shared, attendees = page.forms(request.POST)
    if not (shared.is_valid() & all([form.is_valid() for form in attendees])):
        return _render(request, page, shared, attendees, status=400)
    try:
        saved = _save(request, page, shared, attendees, autosave=False)
    except actions.GroupNoteConflict as conflict:
        # Keep every word typed; the next save replaces the version saved meanwhile.
        data = request.POST.copy()
        data["edit_version"] = str(conflict.current_version)
        page = GroupNotePage.load(session)
        shared, attendees = page.forms(data)
        return _render(request, page, shared, attendees, status=409, conflict=str(conflict))
    except actions.GroupNoteSigned as error:
        messages.error(request, str(error))
        return here

    if request.POST.get("intent") == "sign":
        try:
            signed = actions.sign_group_note(
                saved.group_note,
                acting_user=request.user,
                confirm_no_objective=shared.cleaned_data["confirm_no_objective"],
            )
        except actions.GroupNoteError as error:
            messages.error(request, str(error))
            return here
        written = len(signed.notes)
        messages.success(
            request,
            f"Signed. {written} attendee note{'s' if written != 1 else ''} written"
            + (
                f"; {signed.absent} absent (attendance recorded, no note)."
                if signed.absent
                else "."
            ),
        )
        return here
    if saved.attendance_open:
        messages.success(request, "Draft saved and attendance recorded.")
    else:
        messages.success(
            request, "Draft saved. Attendance is recorded once the session has started."
        )
    return here


def _json_error(error: str, message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"saved": False, "error": error, "message": message, **extra}, status=status
    )


@require_POST
def group_note_autosave(request: AuthedRequest, code: str) -> HttpResponse:
    """The page's autosave, in the notes' autosave protocol (static/js/autosave.js): the
    `edit_version` the page holds in, the new one out; JSON for every failure, never a
    redirect (401 when signed out), so the script keeps the text and says what happened."""
    if not request.user.is_authenticated:
        return _json_error(
            "signed_out",
            "You were signed out. Your text is still on this page; sign in again to save it.",
            401,
            login_url=reverse(settings.LOGIN_URL),
        )
    try:
        session, _ = group_access.get_group_session_for_writer(request.user, code)
    except Http404:
        return _json_error("not_found", "This session was not found.", 404)
    except PermissionDenied:
        return _json_error("forbidden", "You cannot write this session's group note.", 403)
    page = GroupNotePage.load(session)
    if page.group_note is not None and page.group_note.status == GroupNote.Status.SIGNED:
        return _json_error("signed", str(actions.GroupNoteSigned(page.group_note)), 409)
    shared, attendees = page.forms(request.POST)
    if not (shared.is_valid() & all([form.is_valid() for form in attendees])):
        errors = [e["text"] for e in _errors(shared, attendees)]
        return _json_error("invalid", "Not saved. " + " ".join(errors), 400, errors=errors)
    try:
        saved = _save(request, page, shared, attendees, autosave=True)
    except actions.GroupNoteConflict as conflict:
        return _json_error("conflict", str(conflict), 409, edit_version=conflict.current_version)
    except actions.GroupNoteSigned as error:
        return _json_error("signed", str(error), 409)
    return JsonResponse(
        {
            "saved": True,
            "changed": True,
            "edit_version": saved.group_note.edit_version,
            "saved_at": format_datetime(timezone.now(), viewer_zone(request.user), "time"),
        }
    )
