"""Records leaving OpenIOP: staff exports of Part 2 notes, and releases to a named recipient
(PDF or FHIR Bundle).

Each goes through the Part 2 gate (notes.disclosure) and writes its accounting row
(consent.Disclosure) and audit event in the transaction that produces it.
"""

import dataclasses
import json
from dataclasses import dataclass

from django.db import transaction

from openiop.accounts.models import User
from openiop.consent.models import Consent, Disclosure, Purpose, Scope
from openiop.consent.release_actions import (
    ReleaseNotInForce,
    lock_release_in_force,
    record_disclosure,
)
from openiop.notes import disclosure, record
from openiop.notes.disclosure_fhir import bundle_for_disclosure
from openiop.notes.models import Note
from openiop.participants.models import Participant


@transaction.atomic
def account_note_export(note: Note, consent: Consent, *, acting_user: User) -> Disclosure:
    """A staff member's PDF of a Part 2 note under the participant's Part 2 TPO consent."""
    return record_disclosure(
        note.participant,
        basis=Disclosure.Basis.CONSENT,
        consent=consent,
        recipient_name=f"{acting_user.display_name} (staff export)",
        purpose=Purpose.TREATMENT,
        format=Disclosure.Format.PDF,
        contents={"notes": 1},
        included_part2=True,
        notice_attached=True,
        acting_user=acting_user,
    )


@dataclass(frozen=True)
class Released:
    content: bytes
    content_type: str
    disclosure: Disclosure
    withheld: int

    @property
    def filename(self) -> str:
        extension = "json" if self.disclosure.format == Disclosure.Format.FHIR else "pdf"
        return f"records-{self.disclosure.code}.{extension}"


@transaction.atomic
def disclose_under_release(
    participant: Participant,
    release: Consent,
    *,
    format: str = Disclosure.Format.PDF,
    zone: str,
    acting_user: User,
) -> Released:
    """The records for the release's recipient, as a PDF or a FHIR Bundle (`format`): filtered
    by the Part 2 gate and the release's scope (a summary leaves the notes out), with a copy of
    the release and, when Part 2 information goes, the §2.32 notice (and in FHIR the Part 2
    security labels); accounted for as a Disclosure.

    Raises ReleaseNotInForce (nothing produced, nothing recorded) when the release is revoked
    or expired at this moment: the release row is locked first, so a revocation committed a
    moment before wins.
    """
    if format not in (Disclosure.Format.PDF, Disclosure.Format.FHIR):
        raise ValueError(f"unknown format {format!r}")
    if release.participant_id != participant.pk:
        raise ReleaseNotInForce("This release is not this participant's.")
    release = lock_release_in_force(release)
    full = record.designated_record(participant)
    if release.scope == Scope.SUMMARY:
        full = dataclasses.replace(full, notes=[])
    sent, withheld, included = disclosure.for_disclosure(full, consent=release)
    if format == Disclosure.Format.FHIR:
        bundle = bundle_for_disclosure(sent, consent=release, zone=zone)
        content = json.dumps(bundle, ensure_ascii=False, indent=1).encode()
        content_type = "application/fhir+json"
    else:
        content = record.render_record_pdf(
            sent, zone=zone, prepared_for=acting_user, release=release
        )
        content_type = "application/pdf"
    row = record_disclosure(
        participant,
        basis=Disclosure.Basis.CONSENT,
        consent=release,
        recipient_name=release.recipient_name,
        purpose=release.purpose or Purpose.OTHER,
        format=format,
        contents=record.contents(sent),
        included_part2=included,
        notice_attached=included,
        acting_user=acting_user,
    )
    return Released(content=content, content_type=content_type, disclosure=row, withheld=withheld)
