"""Pages of participant ↔ care team threads: access → validate → action → respond."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.documents.downloads import download_response
from openiop.documents.inspect import DocumentRefused, megabytes
from openiop.lib.access import Access
from openiop.lib.bodylimit import body_limit
from openiop.messaging import threads_access as access
from openiop.messaging import threads_actions as actions
from openiop.messaging import threads_hours, threads_queries
from openiop.messaging.models import Message, Thread
from openiop.messaging.threads_forms import NewThreadForm, ReplyForm, SettingsForm
from openiop.participants.models import Participant

# Seconds between polls for new messages: often enough for a conversation, few enough
# requests for a slow connection (an empty poll is a 204 with no body).
POLL_SECONDS = 15
CRISIS_SESSION_KEY = "messaging_crisis_thread"


def _too_large() -> str:
    return _(
        "The file is too large to attach. A file may be at most %(size)s: go back and choose "
        "a smaller one."
    ) % {"size": megabytes(settings.DOCUMENTS_MAX_FILE_SIZE)}


def _closed_reason(participant: Participant, thread: Thread | None) -> str:
    try:
        actions.check_open(participant, thread)
    except actions.ThreadClosed as exc:
        return exc.reason
    return ""


def _rows(
    thread: Thread, items: list[Message], user_id: int, read_before: int, team_read: int
) -> list[dict[str, Any]]:
    participant_user = thread.participant.user_id
    return [
        {
            "message": m,
            "text": actions.decrypt(m.ciphertext),
            "mine": m.author_id == user_id,
            "from_participant": m.author_id is not None and m.author_id == participant_user,
            "new": m.author_id != user_id and m.pk > read_before,
            "read_by_team": m.author_id == participant_user and m.pk <= team_read,
        }
        for m in items
    ]


def _thread_context(
    request: AuthedRequest, thread: Thread, thread_access: Access, form: ReplyForm | None
) -> dict[str, Any]:
    user = request.user
    page = threads_queries.page_of_messages(thread, request.GET.get("page"))
    items = list(page.object_list)
    read_before = threads_queries.last_read_id(thread, user)
    team_read = threads_queries.staff_read_up_to(thread)
    if items:
        actions.mark_read(thread, user, items[-1].pk)
    program = thread.participant.program
    office = threads_hours.settings_for(program)
    is_participant = user.pk == thread.participant.user_id
    may_write = thread_access >= Access.WRITE
    closed = _closed_reason(thread.participant, thread)
    crisis = request.session.pop(CRISIS_SESSION_KEY, None) == str(thread.code)
    return {
        "thread": thread,
        "participant": thread.participant,
        "program": program,
        "subject": actions.decrypt(thread.subject_ciphertext),
        "page": page,
        "rows": _rows(thread, items, user.pk, read_before, team_read),
        "is_participant": is_participant,
        "may_write": may_write,
        "may_lock": may_write and not is_participant and closed != "discharged",
        "closed": closed,
        "form": form if form is not None else (ReplyForm() if may_write and not closed else None),
        "office_hours": threads_hours.describe(office),
        "in_office_hours": threads_hours.is_open(office),
        "crisis": crisis,
        "poll": not page.has_next(),
        "last_id": items[-1].pk if items else 0,
        "page_view": uuid.uuid4().hex,
        "poll_seconds": POLL_SECONDS,
    }


def _after_send(request: AuthedRequest, sent: actions.Sent) -> HttpResponse:
    thread = sent.message.thread
    if sent.crisis:
        request.session[CRISIS_SESSION_KEY] = str(thread.code)
    return redirect(f"{reverse('messaging:thread', args=[thread.code])}#m-{sent.message.code}")


# --- The participant's side -----------------------------------------------------------------


@require_GET
@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    participant = access.get_own_chart(request.user)
    threads = threads_queries.with_unread(access.own_threads(participant), request.user).order_by(
        "-last_message_at", "-id"
    )
    page = Paginator(threads, threads_queries.PAGE_SIZE).get_page(request.GET.get("page"))
    office = threads_hours.settings_for(participant.program)
    return render(
        request,
        "messaging/mine.html",
        {
            "participant": participant,
            "program": participant.program,
            "page": page,
            "rows": [(t, actions.decrypt(t.subject_ciphertext)) for t in page.object_list],
            "closed": _closed_reason(participant, None),
            "office_hours": threads_hours.describe(office),
        },
    )


@body_limit("DOCUMENTS_MAX_REQUEST_BODY", _too_large)
@require_http_methods(["GET", "POST"])
@login_required
def new_thread(request: AuthedRequest) -> HttpResponse:
    participant = access.get_own_chart(request.user)
    closed = _closed_reason(participant, None)
    form = NewThreadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if closed:
            status = 409
        elif form.is_valid():
            try:
                sent = actions.start_thread(
                    participant,
                    subject=form.cleaned_data["subject"],
                    text=form.cleaned_data["text"],
                    upload=form.cleaned_data["attachment"],
                    acting_user=request.user,
                )
            except DocumentRefused as exc:
                form.add_error("attachment", exc.message)
            except actions.ThreadClosed as exc:
                closed, status = exc.reason, 409
            else:
                return _after_send(request, sent)
        if form.errors:
            status = 400
    office = threads_hours.settings_for(participant.program)
    return render(
        request,
        "messaging/new_thread.html",
        {
            "participant": participant,
            "program": participant.program,
            "form": form,
            "closed": closed,
            "office_hours": threads_hours.describe(office),
            "in_office_hours": threads_hours.is_open(office),
        },
        status=status,
    )


# --- Both sides -----------------------------------------------------------------------------


@body_limit("DOCUMENTS_MAX_REQUEST_BODY", _too_large)
@require_http_methods(["GET", "POST"])
@login_required
def thread(request: AuthedRequest, code: str) -> HttpResponse:
    """The thread, a page at a time (newest last), and the reply form."""
    writing = request.method == "POST"
    row, thread_access = access.get_thread_for_user(request.user, code, write=writing)
    if not writing:
        return render(
            request, "messaging/thread.html", _thread_context(request, row, thread_access, None)
        )
    form = ReplyForm(request.POST, request.FILES or None)
    status = 400
    if form.is_valid():
        try:
            sent = actions.post_message(
                row,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["attachment"],
                acting_user=request.user,
            )
        except DocumentRefused as exc:
            form.add_error("attachment", exc.message)
        except actions.ThreadClosed:
            # The page explains why (`closed`); the typed text stays in the form.
            status = 409
        else:
            return _after_send(request, sent)
    context = _thread_context(request, row, thread_access, form)
    return render(request, "messaging/thread.html", context, status=status)


@require_GET
@login_required
def thread_updates(request: AuthedRequest, code: str) -> HttpResponse:
    """The poll: messages newer than `after`, or 204 when there are none."""
    row, _ = access.get_thread_for_user(request.user, code, page_view=request.GET.get("view", ""))
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        after = 0
    items = threads_queries.messages_after(row, after)
    if not items:
        return HttpResponse(status=204)
    read_before = threads_queries.last_read_id(row, request.user)
    team_read = threads_queries.staff_read_up_to(row)
    actions.mark_read(row, request.user, items[-1].pk)
    return render(
        request,
        "messaging/_updates.html",
        {
            "thread": row,
            "program": row.participant.program,
            "is_participant": request.user.pk == row.participant.user_id,
            "rows": _rows(row, items, request.user.pk, read_before, team_read),
            "last_id": items[-1].pk,
            "page_view": request.GET.get("view", ""),
            "poll_seconds": POLL_SECONDS,
            "office_hours": threads_hours.describe(
                threads_hours.settings_for(row.participant.program)
            ),
        },
    )


@require_GET
@login_required
def attachment(request: AuthedRequest, code: str) -> FileResponse:
    """A message's attachment, as a download only (never shown inline)."""
    message = access.get_attachment_for_user(request.user, code)
    document = message.attachment
    assert document is not None
    return download_response(document)


# --- The care team's side -------------------------------------------------------------------


@require_GET
@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    """Threads of the user's participants, newest activity first, with what is unread."""
    threads = access.inbox_threads(request.user)
    rows = threads_queries.with_unread(threads, request.user).select_related("participant")
    page = Paginator(rows.order_by("-last_message_at", "-id"), threads_queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messaging/inbox.html",
        {
            "page": page,
            "rows": [(t, actions.decrypt(t.subject_ciphertext)) for t in page.object_list],
            "unread": threads_queries.unread_total(request.user, threads),
            "programs": access.programs_with_settings(request.user),
        },
    )


@require_POST
@login_required
def lock(request: AuthedRequest, code: str) -> HttpResponse:
    row, _ = access.get_thread_for_user(request.user, code, write=True)
    if request.user.pk == row.participant.user_id:
        raise PermissionDenied
    locked = request.POST.get("locked") == "1"
    actions.lock_thread(row, locked=locked, acting_user=request.user)
    messages.success(request, "Thread locked." if locked else "Thread reopened.")
    return redirect("messaging:thread", row.code)


@require_http_methods(["GET", "POST"])
@login_required
def office_hours(request: AuthedRequest, code: str) -> HttpResponse:
    """A program's office hours and message retention: its directors only."""
    program = access.get_program_settings_for_user(request.user, code)
    current = threads_hours.settings_for(program)
    initial = {
        "days": list(current.days),
        "opens_at": current.opens_at,
        "closes_at": current.closes_at,
        "retention_days": current.retention_days,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        actions.save_settings(
            program,
            days="".join(sorted(form.cleaned_data["days"])),
            opens_at=form.cleaned_data["opens_at"],
            closes_at=form.cleaned_data["closes_at"],
            retention_days=form.cleaned_data["retention_days"],
            acting_user=request.user,
        )
        messages.success(request, "Messaging settings saved.")
        return redirect("messaging:office_hours", program.code)
    return render(
        request,
        "messaging/office_hours.html",
        {"program": program, "form": form, "office_hours": threads_hours.describe(current)},
        status=400 if form.errors else 200,
    )
