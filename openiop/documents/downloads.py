"""A stored document as a download: the one response every page that hands out a chart's file
uses (the chart's documents, a message's attachment), so the headers that keep a file from
ever acting as a page are written once."""

import logging

from django.http import FileResponse, Http404

from openiop.documents.models import Document
from openiop.documents.names import safe_filename
from openiop.documents.sniff import served_type
from openiop.documents.storage import document_storage

logger = logging.getLogger(__name__)

# A downloaded file is never a page: no scripts, no plug-ins, no requests of its own, even if
# a browser were to render it (SECURITY.md X1).
DOWNLOAD_CSP = "sandbox; default-src 'none'"


def download_response(document: Document) -> FileResponse:
    """The file as an attachment, never inline; 404 if storage has lost it (logged by code)."""
    try:
        handle = document_storage().open(document.storage_name, "rb")
    except FileNotFoundError as exc:
        logger.error("The file of document %s is missing from storage.", document.code)
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(document.original_name),
        content_type=served_type(document.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
