"""Writes of releases of information and of the accounting of disclosures.

A release (a Consent of kind RELEASE) names its recipient, purpose, scope and expiry, says
whether it covers Part 2 (SUD) records (42 CFR 2.31(a)(3)), and is signed with a typed name
and a ticked box against the exact text version. The participant revokes it at once
(42 CFR 2.31(a)(6); 45 CFR 164.508(b)(5)): from that moment no disclosure may use it.

Every release of records outside OpenIOP writes one `Disclosure` row (`record_disclosure`),
in the transaction that produces the records, with its audit event.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.context import RequestOrigin
from openiop.consent.models import Consent, ConsentKind, ConsentText, Disclosure, Purpose, Scope
from openiop.participants.models import Participant


class ReleaseError(Exception):
    """A release that cannot be signed, revoked or used; the message says why, for people."""


class ReleaseNotInForce(ReleaseError):
    pass


@transaction.atomic
def sign_release(
    participant: Participant,
    *,
    text: ConsentText,
    recipient_name: str,
    recipient_address: str,
    purpose: str,
    scope: str,
    includes_part2: bool,
    expires_on: date | None,
    signed_name: str,
    origin: RequestOrigin,
    acting_user: User,
) -> Consent:
    """The participant's signed release. Refused without a recipient or an expiry date, with
    an expiry in the past, or against a text of another program or kind."""
    if not recipient_name.strip():
        raise ReleaseError("Name who should receive your records.")
    if expires_on is None:
        raise ReleaseError("A release needs an expiry date: choose the day it should end.")
    if expires_on < timezone.localdate():
        raise ReleaseError("The expiry date has passed: choose today or a later day.")
    if not signed_name.strip():
        raise ReleaseError("Type your full name to sign.")
    if text.kind != ConsentKind.RELEASE or text.program_id != participant.program_id:
        raise ReleaseError("This release form is not your program's.")
    if purpose not in Purpose.values or scope not in Scope.values:
        raise ReleaseError("Choose a purpose and what the release covers.")
    release = Consent.objects.create(
        participant=participant,
        kind=ConsentKind.RELEASE,
        text=text,
        signed_name=signed_name.strip(),
        signed_by=acting_user,
        signer_ip=origin.ip_address,
        signer_user_agent=origin.user_agent[:400],
        text_sha256=text.sha256,
        expires_on=expires_on,
        recipient_name=recipient_name.strip(),
        recipient_address=recipient_address.strip(),
        purpose=purpose,
        scope=scope,
        includes_part2=includes_part2,
    )
    record(
        "consent.release_signed",
        acting_user=acting_user,
        participant=participant,
        target=release,
        details={
            "consent": str(release.code),
            "version": text.version,
            "purpose": purpose,
            "scope": scope,
            "part2": includes_part2,
            "to": expires_on.isoformat(),
        },
    )
    return release


@transaction.atomic
def revoke_release(release: Consent, *, acting_user: User) -> Consent:
    """End a release now. Revoking one already revoked changes nothing."""
    locked = Consent.objects.select_for_update().get(pk=release.pk)
    if locked.kind != ConsentKind.RELEASE:
        raise ReleaseError("Only a release of information is revoked here.")
    if locked.status == Consent.Status.REVOKED:
        return locked
    locked.status = Consent.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revoked_by = acting_user
    locked.save(update_fields=["status", "revoked_at", "revoked_by"])
    record(
        "consent.release_revoked",
        acting_user=acting_user,
        participant=locked.participant,
        target=locked,
        details={"consent": str(locked.code)},
    )
    return locked


def lock_release_in_force(release: Consent) -> Consent:
    """The release, locked for the caller's transaction, if it may be used for a disclosure
    now; ReleaseNotInForce otherwise. A revocation that commits first wins: the lock makes a
    disclosure and a revocation of the same release run one after the other."""
    locked = Consent.objects.select_for_update().select_related("text").get(pk=release.pk)
    if locked.kind != ConsentKind.RELEASE:
        raise ReleaseNotInForce("This is not a release of information.")
    if locked.status == Consent.Status.REVOKED:
        raise ReleaseNotInForce(
            "This release was revoked by the participant: nothing was sent. Ask them whether "
            "they want to sign a new one."
        )
    if not locked.is_in_force():
        raise ReleaseNotInForce(
            "This release has expired: nothing was sent. The participant can sign a new one."
        )
    return locked


@transaction.atomic
def record_disclosure(
    participant: Participant,
    *,
    basis: str,
    consent: Consent | None,
    recipient_name: str,
    purpose: str,
    format: str,
    contents: dict[str, Any],
    included_part2: bool,
    notice_attached: bool,
    acting_user: User,
) -> Disclosure:
    """One row of the accounting of disclosures (42 CFR 2.25; 45 CFR 164.528), with its audit
    event. `contents` holds counts by kind only."""
    disclosure = Disclosure.objects.create(
        participant=participant,
        consent=consent,
        basis=basis,
        recipient_name=recipient_name,
        purpose=purpose,
        format=format,
        contents=contents,
        included_part2=included_part2,
        notice_attached=notice_attached,
        disclosed_by=acting_user,
    )
    record(
        "consent.disclosure_recorded",
        acting_user=acting_user,
        participant=participant,
        target=disclosure,
        details={
            "disclosure": str(disclosure.code),
            "consent": str(consent.code) if consent is not None else None,
            "basis": basis,
            "purpose": purpose,
            "format": format,
            "part2": included_part2,
            "notice": notice_attached,
            **{key: value for key, value in contents.items() if key in COUNTED},
        },
    )
    return disclosure


# What a disclosure's `contents` counts (audit details take these keys).
COUNTED = ("notes", "plans", "diagnoses", "withheld")
