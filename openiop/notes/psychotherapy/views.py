"""The author's psychotherapy-note pages. Error reports never carry the text: each view that
takes it is marked with `sensitive_post_parameters`, and each response is `no-store`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from openiop.accounts.http import AuthedRequest
from openiop.lib.timefmt import format_datetime
from openiop.notes.psychotherapy import access, actions
from openiop.notes.psychotherapy.forms import PsychotherapyNoteForm
from openiop.participants.zones import viewer_zone
from openiop.scheduling.models import Session

# How many of the author's past sessions with the participant the picker offers.
SESSION_CHOICES = 60

STALE_MESSAGE = (
    "This note was changed in another window after you opened it. Your text is below and has "
    "not been saved; the version saved meanwhile is shown under it. Save again to replace it "
    "with your text."
)


def _session_label(session: Session, zone: str) -> str:
    name = session.group.name if session.group is not None else session.get_kind_display()
    return f"{name}, {format_datetime(session.starts_at, zone)}"


@require_GET
@login_required
@never_cache
def note_list(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_participant_for_author(request.user, code, read=True)
    notes = access.notes_by_author(request.user, participant)
    return render(
        request,
        "notes/psychotherapy/list.html",
        {"participant": participant, "notes": notes},
    )


@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def new_note(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_participant_for_author(
        request.user, code, read=request.method == "GET"
    )
    zone = viewer_zone(request.user)
    sessions = access.sessions_for_note(request.user, participant).filter(
        starts_at__lte=timezone.now()
    )[:SESSION_CHOICES]
    choices = [(str(s.code), _session_label(s, zone)) for s in sessions]
    # A session named by the link that led here (the session page) is offered even when it
    # is older than the picker's list or has not started yet.
    named = (request.POST if request.method == "POST" else request.GET).get("session", "")
    session = access.session_for_note(request.user, participant, named) if named else None
    if session is not None and str(session.code) not in {value for value, _ in choices}:
        choices.insert(0, (str(session.code), _session_label(session, zone)))
    if request.method == "POST":
        form = PsychotherapyNoteForm(request.POST, session_choices=choices)
        if form.is_valid():
            note = actions.write_note(
                participant,
                text=form.cleaned_data["text"],
                session=session if form.cleaned_data["session"] else None,
                acting_user=request.user,
            )
            messages.success(request, "Psychotherapy note saved. Only you can see it.")
            return redirect("notes:psychotherapy_note", note.code)
        status = 400
    else:
        initial = {"session": str(session.code)} if session is not None else {}
        form = PsychotherapyNoteForm(initial=initial, session_choices=choices)
        status = 200
    return render(
        request,
        "notes/psychotherapy/form.html",
        {"participant": participant, "form": form, "note": None},
        status=status,
    )


@require_GET
@login_required
@never_cache
def note_detail(request: AuthedRequest, code: str) -> HttpResponse:
    note, _ = access.get_note_for_author(request.user, code, read=True)
    return render(
        request,
        "notes/psychotherapy/note.html",
        {"note": note, "participant": note.participant, "text": actions.decrypt(note)},
    )


@sensitive_post_parameters("text")
@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def edit_note(request: AuthedRequest, code: str) -> HttpResponse:
    note, _ = access.get_note_for_author(request.user, code, read=request.method == "GET")
    saved_meanwhile = None
    if request.method == "POST":
        form = PsychotherapyNoteForm(request.POST)
        if form.is_valid():
            try:
                actions.update_note(
                    note,
                    text=form.cleaned_data["text"],
                    expected_version=form.cleaned_data["version"] or 0,
                    acting_user=request.user,
                )
            except actions.StaleNote as stale:
                note = stale.note
                saved_meanwhile = actions.decrypt(note)
                form = PsychotherapyNoteForm(
                    {"text": form.cleaned_data["text"], "version": note.edit_version}
                )
                form.is_valid()
                form.add_error(None, STALE_MESSAGE)
            else:
                messages.success(request, "Psychotherapy note saved. Only you can see it.")
                return redirect("notes:psychotherapy_note", note.code)
        status = 409 if saved_meanwhile is not None else 400
    else:
        form = PsychotherapyNoteForm(
            initial={"text": actions.decrypt(note), "version": note.edit_version}
        )
        status = 200
    return render(
        request,
        "notes/psychotherapy/form.html",
        {
            "participant": note.participant,
            "form": form,
            "note": note,
            "saved_meanwhile": saved_meanwhile,
        },
        status=status,
    )
