"""Signed consents for tests of other apps (a participant who may join a video session)."""

from typing import Any

from django.utils import timezone

from openiop.consent.defaults import ensure_texts
from openiop.consent.models import REQUIRED_BEFORE_FIRST_SESSION, Consent, ConsentText


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
