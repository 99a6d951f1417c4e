"""A signed consent as a FHIR R4 Consent resource (CLINICAL.md §7.2).

Built as a JSON-ready dict and checked against the fhir.resources R4B model, as
`openiop.assessments.fhir` does. Each kind is its own resource: the law forbids combining a
Part 2 SUD counseling notes consent with any other (42 CFR 2.31(b)).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, time
from typing import Any

from django.utils import timezone

from openiop.lib.recurrence import get_zone

from .models import PURPOSE_FHIR, Consent, ConsentKind, Purpose

SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
SHA256_EXTENSION = "http://openiop.org/fhir/StructureDefinition/attachment-sha256"
TEXT_VERSION_EXTENSION = "http://openiop.org/fhir/StructureDefinition/consent-text-version"
# LOINC 59284-0 "Consent Document" [VERIFY] (CLINICAL.md §7.2).
CATEGORY = {"system": "http://loinc.org", "code": "59284-0", "display": "Consent Document"}
# v3-ActCode 42CFRPart2 [VERIFY the code name] (CLINICAL.md §7.2).
PART2_POLICY = {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"}

PRIVACY_KINDS = (
    ConsentKind.PART2_TPO,
    ConsentKind.PART2_COUNSELING_NOTES,
    ConsentKind.RELEASE,
)
KIND_PURPOSES = {
    ConsentKind.PART2_TPO: [Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS],
    ConsentKind.PART2_COUNSELING_NOTES: [Purpose.TREATMENT],
}


def _is_part2(consent: Consent) -> bool:
    return consent.kind in (ConsentKind.PART2_TPO, ConsentKind.PART2_COUNSELING_NOTES) or (
        consent.kind == ConsentKind.RELEASE and consent.includes_part2
    )


def _period(consent: Consent) -> dict[str, str]:
    period = {"start": consent.signed_at.isoformat()}
    end: datetime | None = None
    if consent.revoked_at is not None:
        end = consent.revoked_at
    if consent.expires_on is not None:
        # The end of the expiry day, in the program's zone.
        zone = get_zone(consent.participant.timezone or "UTC")
        expiry = datetime.combine(consent.expires_on, time.max.replace(microsecond=0), zone)
        end = min(end, expiry) if end else expiry
    if end is not None:
        period["end"] = end.isoformat()
    return period


def _purposes(consent: Consent) -> list[dict[str, str]]:
    purposes = KIND_PURPOSES.get(ConsentKind(consent.kind), [])
    if consent.kind == ConsentKind.RELEASE and consent.purpose:
        purposes = [Purpose(consent.purpose)]
    return [
        {"system": ACT_REASON, "code": PURPOSE_FHIR[p], "display": str(p.label)} for p in purposes
    ]


def consent_resource(consent: Consent) -> dict[str, Any]:
    """The FHIR Consent for `consent` (its text version, patient, signer and provision)."""
    text = consent.text
    patient = {"reference": f"Patient/{consent.participant.code}"}
    in_force = consent.is_in_force(timezone.localdate())
    body = text.body.encode()
    provision: dict[str, Any] = {"type": "permit", "period": _period(consent)}
    purposes = _purposes(consent)
    if purposes:
        provision["purpose"] = purposes
    if consent.kind == ConsentKind.RELEASE and consent.recipient_name:
        provision["actor"] = [
            {
                "role": {
                    "coding": [
                        {
                            "system": PARTICIPATION,
                            "code": "IRCP",
                            "display": "information recipient",
                        }
                    ]
                },
                "reference": {"display": consent.recipient_name},
            }
        ]
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": str(consent.code),
        "status": "active" if in_force else "inactive",
        "scope": {
            "coding": [
                {
                    "system": SCOPE_SYSTEM,
                    "code": "patient-privacy" if consent.kind in PRIVACY_KINDS else "treatment",
                }
            ]
        },
        "category": [{"coding": [CATEGORY], "text": consent.get_kind_display()}],
        "patient": patient,
        "dateTime": consent.signed_at.isoformat(),
        # A parent or guardian who signed for the participant is a RelatedPerson, not the Patient.
        "performer": [
            {"type": "RelatedPerson", "display": consent.signed_name}
            if consent.signed_by_guardian
            else {**patient, "display": consent.signed_name}
        ],
        # The exact text version that was signed identifies the policy the person agreed to.
        "policy": [{"uri": f"urn:uuid:{text.code}"}],
        "sourceAttachment": {
            "contentType": "text/plain; charset=utf-8",
            "title": f"{text.title} (version {text.version})",
            "size": len(body),
            # FHIR R4's Attachment.hash is SHA-1; the SHA-256 the signature covers rides along.
            "hash": base64.b64encode(hashlib.sha1(body).digest()).decode(),  # noqa: S324
            "extension": [
                {"url": SHA256_EXTENSION, "valueString": consent.text_sha256},
                {"url": TEXT_VERSION_EXTENSION, "valuePositiveInt": text.version},
            ],
        },
        "provision": provision,
    }
    if _is_part2(consent):
        resource["policyRule"] = {"coding": [PART2_POLICY]}
    return _validated(resource)


def _validated(resource: dict[str, Any]) -> dict[str, Any]:
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class("Consent").model_validate(resource)
    return resource
