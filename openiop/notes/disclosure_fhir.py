"""The designated record as a FHIR Bundle that leaves OpenIOP (CLINICAL.md §6.5, §7).

The record has already passed the Part 2 gate (disclosure.for_disclosure). When Part 2
information is in it, each Part 2 resource carries `meta.security` (consent.part2.
SECURITY_LABELS: ETH, restricted, no redisclosure without consent), the Bundle carries the same
labels, and the §2.32 notice travels as a DocumentReference of its own. A Bundle sent under a
consent also carries that consent as a FHIR Consent resource: the copy of the consent 42 CFR
2.32(b) asks for.
"""

import base64
from datetime import datetime
from typing import Any

from django.utils import timezone

from openiop.consent.fhir import consent_resource as fhir_consent
from openiop.consent.models import Consent
from openiop.consent.part2 import NOTICE, NOTICE_TITLE, SECURITY_LABELS, SHORT_NOTICE
from openiop.notes import disclosure
from openiop.notes.record import DesignatedRecord
from openiop.notes.record_fhir import Resource, record_bundle, urn

# The notice's own id is fixed: it is the same text in every Bundle.
NOTICE_ID = "0b9d9b5e-2f7e-4f0a-9d43-42c0f2a02032"


def notice_document(subject: str, now: datetime) -> Resource:
    return {
        "resourceType": "DocumentReference",
        "id": NOTICE_ID,
        "meta": {"security": SECURITY_LABELS},
        "status": "current",
        "type": {"text": NOTICE_TITLE},
        "subject": {"reference": subject},
        "date": now.isoformat(),
        "description": SHORT_NOTICE,
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "language": "en",
                    "title": NOTICE_TITLE,
                    "data": base64.b64encode(NOTICE.encode()).decode("ascii"),
                }
            }
        ],
    }


def consent_resource(consent: Consent, subject: str) -> Resource:
    """The consent the Bundle is sent under (the copy 42 CFR 2.32(b) asks for), as the consent
    app writes it, pointed at the Bundle's own Patient entry."""
    resource = fhir_consent(consent)
    resource["patient"] = {"reference": subject}
    resource["performer"] = [{"reference": subject, "display": consent.signed_name}]
    return resource


def bundle_for_disclosure(
    record: DesignatedRecord,
    *,
    consent: Consent | None = None,
    now: datetime | None = None,
    zone: str | None = None,
) -> Resource:
    """The gated record (`for_disclosure`'s result) as a FHIR Bundle that may leave."""
    now = now or timezone.now()
    subject = urn(record.participant.code)
    label = None
    if record.part2_included:
        part2 = disclosure.is_part2_item(record)

        def label(obj: Any) -> list[dict[str, Any]] | None:
            return SECURITY_LABELS if part2(obj) else None

    bundle = record_bundle(record, now=now, zone=zone, label=label)
    extra: list[Resource] = []
    if consent is not None:
        extra.append(consent_resource(consent, subject))
    if record.part2_included:
        bundle["meta"]["security"] = SECURITY_LABELS
        extra.append(notice_document(subject, now))
    if extra:
        bundle["entry"] += [{"fullUrl": urn(r["id"]), "resource": r} for r in extra]
        # Loaded when needed, as record_fhir does: the FHIR models are slow to import.
        from fhir.resources.R4B import get_fhir_model_class

        get_fhir_model_class("Bundle").model_validate(bundle)
    return bundle
