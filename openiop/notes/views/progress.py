"""Progress notes: start one (for a session, or from the chart), write it with autosave,
sign it, read it, amend and co-sign it, export it; the chart's list; the participant's own
signed notes."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.consent.part2 import NOTICE, NOTICE_TITLE
from openiop.lib.access import Access
from openiop.lib.pdf import render_pdf
from openiop.lib.timefmt import as_zone, format_datetime
from openiop.notes import access, actions, queries
from openiop.notes.forms import AddendumForm, NoteForm, StartNoteForm
from openiop.notes.models import FORM_SECTIONS, Note
from openiop.participants.zones import viewer_zone
from openiop.programs.eligibility import is_clinical_staff

NOTES_PAGE_SIZE = 50


def _json_error(error: str, message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"saved": False, "error": error, "message": message, **extra}, status=status
    )


def _form_message(form: Any) -> str:
    """One sentence naming what to fix, for the autosave status line."""
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        problems.append(f"{label}: {errors[0]}" if label else str(errors[0]))
    return "Not saved. " + " ".join(problems)


def _note_context(note: Note, **extra: Any) -> dict[str, Any]:
    """What the note page, the participant's copy and the PDF show."""
    minutes = None
    if note.started_at and note.ended_at:
        minutes = int((note.ended_at - note.started_at).total_seconds() // 60)
    return {
        "note": note,
        "participant": note.participant,
        "written_sections": [
            (label, (note.sections or {}).get(key, ""))
            for key, label in FORM_SECTIONS.get(note.form, [])
        ],
        "minutes": minutes,
        # Grouped by eight so that it wraps on a phone.
        "fingerprint": " ".join(
            note.content_hash[i : i + 8] for i in range(0, len(note.content_hash), 8)
        ),
        "scores": queries.scores_for_display(note),
        "objectives": note.objectives.order_by("position", "id"),
        "addenda": note.addenda.select_related("author"),
        **extra,
    }


# --- Starting a note --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def start_for_session(request: AuthedRequest, code: str) -> HttpResponse:
    """The participant's note of an individual, family or psychiatry session: the draft if one
    exists, else a page that starts it (POST, so that following a link creates nothing)."""
    participant_code = request.POST.get("participant") or request.GET.get("participant")
    session, participant = access.get_session_to_document(
        request.user, code, participant_code, read=request.method == "GET"
    )
    existing = Note.objects.filter(session=session, participant=participant).first()
    if existing is not None:
        return _open(request, existing)
    error = ""
    if request.method == "POST":
        try:
            note, _ = actions.start_session_note(session, participant, acting_user=request.user)
        except actions.NoteError as exc:
            error = str(exc)
        else:
            return _open(request, note)
    zone = viewer_zone(request.user)
    return render(
        request,
        "notes/note_start.html",
        {
            "session": session,
            "participant": participant,
            "zone": zone,
            "error": error,
            "started": session.starts_at <= timezone.now(),
        },
        status=409 if error else 200,
    )


def _open(request: AuthedRequest, note: Note) -> HttpResponse:
    if not note.is_signed and note.author_id == request.user.pk:
        return redirect("notes:edit", note.code)
    return redirect(note)


@require_http_methods(["GET", "POST"])
@login_required
def start_for_participant(request: AuthedRequest, code: str) -> HttpResponse:
    """From the chart: the user's recent sessions with the participant to document, and a
    note for contact that was not booked as a session."""
    participant, _ = access.get_chart_for_notes(
        request.user,
        code,
        write=True,
        read=request.method == "GET",
        read_event="participant.chart_viewed",
    )
    zone = viewer_zone(request.user)
    now = timezone.now()
    with timezone.override(zone):
        form = StartNoteForm(request.POST or None, now=now)
        if request.method == "POST" and form.is_valid():
            try:
                note = actions.start_note_without_session(
                    participant,
                    kind=form.cleaned_data["kind"],
                    started_at=form.cleaned_data["started_at"],
                    ended_at=form.cleaned_data["ended_at"],
                    acting_user=request.user,
                )
            except actions.NoteError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("notes:edit", note.code)
        return render(
            request,
            "notes/note_start_chart.html",
            {
                "participant": participant,
                "sessions": queries.sessions_to_document(request.user, participant, now=now),
                "form": form,
                "zone": zone,
            },
            status=400 if form.is_bound else 200,
        )


# --- Writing ----------------------------------------------------------------------------


def _render_edit(
    request: AuthedRequest, note: Note, form: NoteForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    zone = viewer_zone(request.user)
    with timezone.override(zone):
        return render(
            request,
            "notes/note_edit.html",
            _note_context(
                note,
                form=form,
                sections=form.section_fields(),
                login_url=f"{reverse(settings.LOGIN_URL)}?next={request.path}",
                text_limit=f"{actions.NOTE_TEXT_LIMIT:,}",
                **extra,
            ),
            status=status,
        )


def _locked(request: AuthedRequest, note: Note) -> HttpResponse:
    return render(
        request,
        "notes/note_locked.html",
        {"note": note, "message": str(actions.NoteLocked())},
        status=409,
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: AuthedRequest, code: str) -> HttpResponse:
    """The draft, for its author: "Save draft" and "Sign" (which saves first). The page saves
    itself every few seconds too (autosave below)."""
    note = access.get_draft_for_author(request.user, code, read=request.method == "GET")
    if note.is_signed:
        return _locked(request, note)
    if note.kind == Note.Kind.GROUP:
        raise Http404  # group sessions' notes are written on the group note page
    objectives = queries.objectives_to_pick(note.participant, note)
    if request.method == "GET":
        return _render_edit(request, note, NoteForm(note=note, objectives=objectives))
    with timezone.override(viewer_zone(request.user)):
        form = NoteForm(request.POST, note=note, objectives=objectives)
        valid = form.is_valid()
    if not valid:
        return _render_edit(request, note, form, status=400)
    try:
        actions.save_draft(
            note,
            values=form.values(),
            objectives=list(form.cleaned_data["objectives"]),
            expected_version=form.cleaned_data["edit_version"],
            acting_user=request.user,
        )
    except actions.NoteLocked:
        return _locked(request, note)
    except actions.NoteConflict as exc:
        return _render_edit(request, note, form, status=409, conflict=str(exc))
    except actions.NoteError as exc:
        form.add_error(None, str(exc))
        return _render_edit(request, note, form, status=400)
    if request.POST.get("action") != "sign":
        messages.success(request, "Draft saved.")
        return redirect("notes:edit", note.code)
    try:
        actions.sign_note(note, acting_user=request.user)
    except actions.NoteIncomplete as exc:
        # The text is saved; the page comes back with what signing still needs.
        data = request.POST.copy()
        data["edit_version"] = str(note.edit_version)
        with timezone.override(viewer_zone(request.user)):
            form = NoteForm(data, note=note, objectives=objectives)
            form.is_valid()
        for field, message in exc.missing:
            form.add_error(field if field in form.fields else None, message)
        return _render_edit(request, note, form, status=400, signing=True)
    except actions.NoteError as exc:
        messages.error(request, str(exc))
        return redirect(note)
    messages.success(request, "Note signed. It is now locked; later changes are addenda.")
    return redirect(note)


@require_POST
def autosave(request: AuthedRequest, code: str) -> JsonResponse:
    """The page's autosave: JSON in both directions' failures, never a redirect, so the
    script keeps the text and says what happened. 401 when signed out."""
    if not request.user.is_authenticated:
        return _json_error(
            "signed_out",
            "You were signed out. Your text is kept on this device; sign in again to save it.",
            401,
            login_url=reverse(settings.LOGIN_URL),
        )
    try:
        note = access.get_draft_for_author(request.user, code)
    except Http404:
        return _json_error("not_found", "This note was not found.", 404)
    except PermissionDenied:
        return _json_error("forbidden", "You cannot change this note.", 403)
    if note.is_signed:
        return _json_error("signed", str(actions.NoteLocked()), 409)
    zone = viewer_zone(request.user)
    with timezone.override(zone):
        form = NoteForm(
            request.POST,
            note=note,
            objectives=queries.objectives_to_pick(note.participant, note),
        )
        valid = form.is_valid()
    if not valid:
        return _json_error("invalid", _form_message(form), 400, errors=form.errors)
    try:
        changed = actions.save_draft(
            note,
            values=form.values(),
            objectives=list(form.cleaned_data["objectives"]),
            expected_version=form.cleaned_data["edit_version"],
            acting_user=request.user,
            automatic=True,
        )
    except actions.NoteLocked as exc:
        return _json_error("signed", str(exc), 409)
    except actions.NoteConflict as exc:
        return _json_error("conflict", str(exc), 409, edit_version=exc.current_version)
    except actions.NoteError as exc:
        return _json_error("invalid", f"Not saved. {exc}", 400)
    return JsonResponse(
        {
            "saved": True,
            "changed": bool(changed),
            "edit_version": note.edit_version,
            "saved_at": format_datetime(timezone.now(), zone, "time"),
        }
    )


# --- Reading, amending, co-signing --------------------------------------------------------


def _render_note(
    request: AuthedRequest,
    note: Note,
    can_write: bool,
    *,
    addendum_form: AddendumForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_amend = note.is_signed and can_write and is_clinical_staff(request.user)
    return render(
        request,
        "notes/note.html",
        _note_context(
            note,
            is_author=note.author_id == request.user.pk,
            may_amend=may_amend,
            may_cosign=access.may_cosign(request.user, note),
            addendum_form=addendum_form or (AddendumForm() if may_amend else None),
            signature_ok=actions.signature_matches(note) if note.is_signed else None,
        ),
        status=status,
    )


@require_GET
@login_required
def note_detail(request: AuthedRequest, code: str) -> HttpResponse:
    note, note_access = access.get_note_for_user(request.user, code)
    return _render_note(request, note, note_access >= Access.WRITE)


@require_POST
@login_required
def add_addendum(request: AuthedRequest, code: str) -> HttpResponse:
    note = access.get_note_to_amend(request.user, code)
    form = AddendumForm(request.POST)
    if not form.is_valid():
        return _render_note(request, note, True, addendum_form=form, status=400)
    try:
        actions.add_addendum(
            note,
            text=form.cleaned_data["text"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except actions.NoteError as exc:
        form.add_error(None, str(exc))
        return _render_note(request, note, True, addendum_form=form, status=409)
    messages.success(request, "Addendum added.")
    return redirect(note)


@require_POST
@login_required
def cosign(request: AuthedRequest, code: str) -> HttpResponse:
    note, _ = access.get_note_for_user(request.user, code, read=False)
    try:
        actions.cosign_note(note, acting_user=request.user)
    except actions.NoteError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Note co-signed.")
    return redirect(note)


def _pdf_response(note: Note, zone: str, *, part2: bool = False) -> HttpResponse:
    """The note's PDF; `part2`: it leaves under a Part 2 consent and carries the §2.32
    notice."""
    notice = {"part2_notice_title": NOTICE_TITLE, "part2_notice": NOTICE} if part2 else {}
    pdf = render_pdf(
        "notes/note_pdf.html",
        _note_context(
            note,
            zone=zone,
            signature_ok=actions.signature_matches(note),
            printed_at=timezone.now(),
            **notice,
        ),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    day = note.started_at or note.created_at
    local_day = day.astimezone(as_zone(zone)).date()
    # The file name says what it is, not whose: it lands in a downloads folder.
    response["Content-Disposition"] = f'attachment; filename="progress-note-{local_day}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def note_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    with transaction.atomic():
        export = access.get_note_to_export(request.user, code)
        if export.withheld:
            return render(
                request,
                "notes/part2_withheld.html",
                {"note": export.note, "participant": export.note.participant},
                status=403,
            )
        if export.consent is not None:
            actions.account_note_export(export.note, export.consent, acting_user=request.user)
        # Inside the transaction: the accounting entry stands only if the PDF was made.
        return _pdf_response(
            export.note, viewer_zone(request.user), part2=export.consent is not None
        )


# --- Lists ------------------------------------------------------------------------------


@require_GET
@login_required
def participant_notes(request: AuthedRequest, code: str) -> HttpResponse:
    participant, chart_access = access.get_chart_for_notes(request.user, code)
    page = Paginator(queries.chart_notes(participant), NOTES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notes/note_list.html",
        {
            "participant": participant,
            "page": page,
            "may_write": chart_access >= Access.WRITE and is_clinical_staff(request.user),
        },
    )


@require_GET
@login_required
def my_notes(request: AuthedRequest) -> HttpResponse:
    notes = access.own_signed_notes(request.user).select_related("author")
    page = Paginator(notes.order_by("-started_at", "-created_at", "-id"), NOTES_PAGE_SIZE)
    return render(
        request, "notes/note_mine_list.html", {"page": page.get_page(request.GET.get("page"))}
    )


@require_GET
@login_required
def my_note(request: AuthedRequest, code: str) -> HttpResponse:
    note = access.get_own_signed_note(request.user, code)
    return render(request, "notes/note_mine.html", _note_context(note))


@require_GET
@login_required
def my_note_pdf(request: AuthedRequest, code: str) -> HttpResponse:
    note = access.get_own_signed_note(request.user, code)
    return _pdf_response(note, viewer_zone(request.user))
