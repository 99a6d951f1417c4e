"""A chart's documents: the list, the upload form, downloads (always as attachments) and
removal. Staff only (openiop.documents.access)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.documents import access, actions
from openiop.documents.downloads import download_response
from openiop.documents.forms import RemoveForm, UploadForm
from openiop.documents.inspect import DocumentRefused, megabytes
from openiop.lib.access import Access
from openiop.lib.bodylimit import body_limit


@require_GET
@login_required
def document_list(request: AuthedRequest, code: str) -> HttpResponse:
    participant, chart_access = access.get_chart_for_documents(request.user, code)
    documents = list(participant.documents.select_related("uploaded_by", "removed_by"))
    return render(
        request,
        "documents/list.html",
        {
            "participant": participant,
            "documents": [d for d in documents if not d.is_removed],
            "removed": [d for d in documents if d.is_removed],
            "may_write": chart_access >= Access.WRITE,
            "remove_form": RemoveForm(),
        },
    )


def _too_large() -> str:
    return (
        "The file is too large to upload. A document may be at most "
        f"{megabytes(settings.DOCUMENTS_MAX_FILE_SIZE)}: go back and choose a smaller file "
        "(a scan at a lower resolution, or the pages you need)."
    )


@body_limit("DOCUMENTS_MAX_REQUEST_BODY", _too_large)
@require_http_methods(["GET", "POST"])
@login_required
def upload(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = access.get_chart_for_documents(
        request.user,
        code,
        write=True,
        read=request.method == "GET",
        read_event="participant.chart_viewed",
    )
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                document = actions.upload_document(
                    participant,
                    upload=form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    acting_user=request.user,
                )
            except DocumentRefused as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, f"{document.get_kind_display()} uploaded.")
                return redirect("documents:list", participant.code)
        form.ask_for_the_file_again()
    return render(
        request,
        "documents/upload.html",
        {"participant": participant, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def download(request: AuthedRequest, code: str) -> FileResponse:
    document, _ = access.get_document_for_user(request.user, code)
    return download_response(document)


@require_POST
@login_required
def remove(request: AuthedRequest, code: str) -> HttpResponse:
    document, _ = access.get_document_for_user(request.user, code, write=True)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the document is being removed, then remove it.")
    else:
        actions.remove_document(
            document, reason=form.cleaned_data["reason"], acting_user=request.user
        )
        messages.success(request, f"{document.get_kind_display()} removed from the chart.")
    return redirect("documents:list", document.participant.code)
