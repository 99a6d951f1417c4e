"""PDFs of clinical documents (plans, signed notes, discharge summaries) with WeasyPrint.

The document is rendered from a Django template (autoescaped, so text typed into any field
stays text) and laid out offline: the URL fetcher refuses every URL except `data:`, so a PDF
never fetches an image, a stylesheet or a file named in a participant's text, and its layout
does not depend on the network.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

PRINT_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"


class RefusedFetch(ValueError):
    """A document asked WeasyPrint for a resource outside the PDF."""


def _offline_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    if url.startswith("data:"):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kwargs)  # type: ignore[no-any-return]
    raise RefusedFetch("PDF documents load nothing from outside themselves")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render `template_name` with `context` and lay it out as a PDF.

    The documents are clinical records in English (`<html lang="en">`), so choice labels and
    dates are English too, whatever the language of the person downloading one.
    """
    from weasyprint import CSS, HTML

    with translation.override("en"):
        html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=None, url_fetcher=_offline_fetcher)
    stylesheets = [CSS(filename=str(PRINT_CSS))] if PRINT_CSS.exists() else []
    return document.write_pdf(stylesheets=stylesheets)  # type: ignore[no-any-return]
