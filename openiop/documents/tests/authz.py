"""documents' rows of the authorisation matrix (openiop/tests/test_authz_matrix.py).

Staff only: participants get 404 on every documents page, their own chart's included."""

import uuid
from typing import Any

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    Entry,
    chart_kwargs,
)


def document_kwargs(case: Any, target: str) -> dict:
    """A PDF on Pat's ("own") or Quinn's ("other") chart."""
    from openiop.documents.models import Document
    from openiop.documents.tests.helpers import PDF, stored_document

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant, person = (case.pat, case.alvarez) if target == "own" else (case.quinn, case.chen)
    document = Document.objects.filter(participant=participant, removed_at__isnull=True).first()
    if document is None:
        document = stored_document(participant, PDF, by=person, original_name="letter.pdf")
    return {"code": document.code}


def _redirects(expect: dict[str, int]) -> dict[str, int]:
    return {role: 302 if status == 200 else status for role, status in expect.items()}


MATRIX = {
    "documents:list": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "documents:upload": Entry(
        "GET", STAFF_CHART_WRITERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "documents:download": Entry(
        "GET", STAFF_CHART_READERS, document_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "documents:remove": Entry(
        "POST",
        _redirects(STAFF_CHART_WRITERS),
        document_kwargs,
        other=_redirects(OTHER_STAFF_READERS),
        data={"reason": "duplicate"},
    ),
}

GET_AND_POST = {"documents:upload"}
