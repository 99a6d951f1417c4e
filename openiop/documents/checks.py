"""Deploy check: production scans uploads for malware (SECURITY.md S7, ASVS 5.4.3).

The default scanner only recognises the EICAR test file, so the demo and the tests exercise the
hook for real; a production site must point it at a real scanner (ClamAV's clamd), or say
explicitly that another layer scans files (`DOCUMENTS_SCANNER_ELSEWHERE=1`).
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

TEST_ONLY_SCANNERS = {"", "openiop.documents.scan.eicar"}


@register(Tags.security, deploy=True)
def check_document_scanner(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    if settings.DOCUMENTS_SCANNER not in TEST_ONLY_SCANNERS or settings.DOCUMENTS_SCANNER_ELSEWHERE:
        return []
    return [
        Error(
            "Uploaded documents are not scanned for malware: DOCUMENTS_SCANNER is "
            f"{settings.DOCUMENTS_SCANNER or 'empty'}.",
            hint="Set DOCUMENTS_SCANNER=openiop.documents.scan.clamd (and "
            "DOCUMENTS_CLAMD_ADDRESS), or DOCUMENTS_SCANNER_ELSEWHERE=1 when another layer "
            "scans uploads (docs/documents.md).",
            id="openiop.E006",
        )
    ]
