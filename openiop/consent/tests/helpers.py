"""Builders the consent tests share, and signed consents for tests of other apps (a
participant who may join a video session; the notes Part 2 tests)."""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from openiop.consent.defaults import ensure_texts
from openiop.consent.models import (
    REQUIRED_BEFORE_FIRST_SESSION,
    Consent,
    ConsentKind,
    ConsentText,
    Purpose,
    Scope,
)


def sign_required(participant: Any) -> list[Consent]:
    """Sign the consents required before the first session, as the participant, on the
    program's current texts (straight to the table: no audit events, no request)."""
    ensure_texts(participant.program)
    signed = []
    for kind in REQUIRED_BEFORE_FIRST_SESSION:
        if Consent.objects.in_force().filter(participant=participant, kind=kind).exists():
            continue
        text = ConsentText.objects.filter(program=participant.program, kind=kind).latest("version")
        signed.append(
            Consent.objects.create(
                participant=participant,
                kind=kind,
                text=text,
                signed_name=participant.full_name,
                signed_at=timezone.now(),
                signed_by=participant.user,
                text_sha256=text.sha256,
            )
        )
    return signed


def current(program: Any, kind: str) -> ConsentText:
    """The program's current text of `kind` (tests: it exists)."""
    return ConsentText.objects.filter(program=program, kind=kind).latest("version")


RELEASE_BODY = (
    "I authorize my program to release the records described above to the recipient named "
    "above, for the purpose stated, until the expiry date. I may revoke this release at any "
    "time, except for records already sent."
)


def consent_text(program: Any, kind: str = ConsentKind.RELEASE) -> ConsentText:
    """The program's newest text of `kind`, made if it has none (until consent/defaults.py's
    ensure_texts is on this branch)."""
    text = ConsentText.objects.filter(program=program, kind=kind).order_by("-version").first()
    if text is None:
        text = ConsentText.objects.create(
            program=program,
            kind=kind,
            version=1,
            title=str(ConsentKind(kind).label),
            body=RELEASE_BODY if kind == ConsentKind.RELEASE else f"{ConsentKind(kind).label}.",
        )
    return text


def sign(participant: Any, kind: str, **fields: Any) -> Consent:
    """A consent of `kind` the participant signed just now."""
    text = consent_text(participant.program, kind)
    return Consent.objects.create(
        participant=participant,
        kind=kind,
        text=text,
        signed_name=participant.full_name,
        signed_by=participant.user,
        text_sha256=text.sha256,
        **fields,
    )


def release(participant: Any, *, includes_part2: bool = False, **fields: Any) -> Consent:
    """A signed release to Dr. Okafor's clinic, expiring in 90 days."""
    values: dict[str, Any] = {
        "recipient_name": "Dr. Ngozi Okafor, Riverside Primary Care",
        "recipient_address": "records@riverside.example",
        "purpose": Purpose.TREATMENT,
        "scope": Scope.FULL,
        "includes_part2": includes_part2,
        "expires_on": timezone.localdate() + timedelta(days=90),
        **fields,
    }
    return sign(participant, ConsentKind.RELEASE, **values)


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)
