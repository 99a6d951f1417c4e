"""Writes to consents: a program's texts (versioned), signatures and revocations.

Every action is atomic and records one audit event (codes only) in the same transaction.
"""

import unicodedata
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib.text import invisible_characters
from openiop.participants.access import guardian_participants
from openiop.participants.models import Participant
from openiop.programs.models import Program

from ..models import GUARDIAN_KINDS, REVOCABLE, Consent, ConsentKind, ConsentText

# Kinds a participant signs in the portal (releases have their own form, see part2 work).
SIGNABLE = tuple(kind for kind in ConsentKind if kind != ConsentKind.RELEASE)
PART2_KINDS = (ConsentKind.PART2_TPO, ConsentKind.PART2_COUNSELING_NOTES)
# A Part 2 TPO consent may say "none" for expiry (42 CFR 2.31(a)(7)); SUD counseling notes
# need an end, which the default text states as one year from signing.
EXPIRY_DAYS = {ConsentKind.PART2_COUNSELING_NOTES: 365}
TITLE_LIMIT = 200
BODY_LIMIT = 40_000
USER_AGENT_LIMIT = 400


class ConsentError(Exception):
    """A write that cannot happen; the message is for the person who asked."""


class StaleText(ConsentError):
    """The text shown is no longer the current version."""


def current_text(program: Program, kind: str) -> ConsentText | None:
    return ConsentText.objects.filter(program=program, kind=kind).order_by("-version").first()


@transaction.atomic
def save_text(
    program: Program,
    kind: str,
    *,
    title: str,
    body: str,
    expected_version: int,
    acting_user: User,
) -> ConsentText:
    """Publish a new version of the program's text for `kind`. Versions are never edited, so
    signatures keep the exact text they covered. `expected_version` is the version the editor
    opened: someone else's newer version is a conflict, not overwritten."""
    if kind not in ConsentKind.values:
        raise ConsentError("Unknown kind of consent.")
    title = " ".join(title.split())
    body = body.replace("\r\n", "\n").strip() + "\n"
    if not title or not body.strip():
        raise ConsentError("Give the consent a title and a text.")
    if len(title) > TITLE_LIMIT or len(body) > BODY_LIMIT:
        raise ConsentError(f"Keep the text under {BODY_LIMIT:,} characters.")
    # One writer at a time per program: the second waits, then sees the first one's version.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    current = current_text(program, kind)
    latest = current.version if current else 0
    if latest != expected_version:
        raise StaleText(
            f"Someone published version {latest} of this text while you were editing. "
            "Your text is kept below: compare it with the current version, then save again."
        )
    if current is not None and current.title == title and current.body == body:
        raise ConsentError("Nothing changed: this is the current version already.")
    text = ConsentText.objects.create(
        program=program,
        kind=kind,
        version=latest + 1,
        title=title,
        body=body,
        created_by=acting_user,
    )
    record(
        "consent.text_published",
        acting_user=acting_user,
        target=text,
        details={"program": str(program.code), "kind": kind, "version": text.version},
    )
    return text


def _folded(value: str) -> str:
    """Case, accents and spacing set aside: "  José  MARTÍNEZ" → "jose martinez"."""
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _typed_name(typed: str, firsts: set[str], family: str) -> tuple[str, bool]:
    """The typed name as stored (spaces collapsed), and whether it is the person's: one of
    `firsts` first and `family` last, middle names allowed, case and accents ignored."""
    name = " ".join(unicodedata.normalize("NFC", typed).split())
    if not name:
        raise ConsentError("Type your full name to sign.")
    if invisible_characters(name):
        raise ConsentError(
            "Your name contains invisible formatting characters. Please type it again."
        )
    if len(name) > 200 or not any(c.isalpha() for c in name):
        raise ConsentError("Type your full name, as it is on your record.")
    typed_folded = _folded(name)
    family = _folded(family)
    firsts = {_folded(first) for first in firsts} - {""}
    matches = any(
        typed_folded == f"{first} {family}"
        or (typed_folded.startswith(f"{first} ") and typed_folded.endswith(f" {family}"))
        for first in firsts
    )
    return name, matches


def clean_signed_name(typed: str, participant: Participant) -> str:
    """The typed name as stored (spaces collapsed), or ConsentError with a clear message.

    It must be the person's name on their chart: their given (or preferred) name first and their
    family name last, middle names allowed, case and accents ignored. A signature in someone
    else's name is not theirs; a person whose name changed asks their care team to update it.
    """
    name, matches = _typed_name(
        typed, {participant.given_name, participant.preferred_name}, participant.family_name
    )
    if not matches:
        raise ConsentError(
            f"Type your full name as it is on your record: {participant.full_name}. "
            "If your name has changed, ask your care team to update it."
        )
    return name


def clean_guardian_name(typed: str, guardian: User) -> str:
    """As `clean_signed_name`, for a parent or guardian signing for an adolescent: the name
    must be the guardian's own (their account's), never the participant's."""
    name, matches = _typed_name(typed, {guardian.given_name}, guardian.family_name)
    if not matches:
        raise ConsentError(
            "Type your own full name as the program has it: "
            f"{guardian.given_name} {guardian.family_name}. You sign as the parent or guardian. "
            "If your name has changed, ask the program to update it."
        )
    return name


def _locked(participant: Participant) -> Participant:
    return (
        Participant.objects.select_for_update(of=("self",))
        .select_related("program")
        .get(pk=participant.pk)
    )


@transaction.atomic
def sign(
    participant: Participant,
    text: ConsentText,
    *,
    signed_name: str,
    agreed: bool,
    ip_address: str | None,
    user_agent: str,
    acting_user: User,
) -> Consent:
    """The participant signs `text`, the version they were shown.

    Refused when the program published a newer version since the page was opened (the person
    must read what they sign), when the name is not theirs, and when this version is signed and
    in force already (a double submit).
    """
    participant = _locked(participant)
    if acting_user.pk is None or participant.user_id != acting_user.pk:
        raise ConsentError("Only the participant signs their own consents.")
    if text.kind not in SIGNABLE or text.program_id != participant.program_id:
        raise ConsentError("This consent is not one you can sign here.")
    if not agreed:
        raise ConsentError("Tick the box to say you have read and agree to this consent.")
    name = clean_signed_name(signed_name, participant)
    return _signed(participant, text, name, ip_address, user_agent, acting_user)


@transaction.atomic
def sign_for_ward(
    participant: Participant,
    text: ConsentText,
    *,
    signed_name: str,
    agreed: bool,
    ip_address: str | None,
    user_agent: str,
    acting_user: User,
) -> Consent:
    """A linked parent or guardian signs `text` for the adolescent, in their own name.

    The same refusals as `sign`; besides, only a guardian whose link to this participant is
    in force signs, and only the consents to care (GUARDIAN_KINDS). The consent counts for
    the first-session gate like the participant's own signature.
    """
    participant = _locked(participant)
    if not guardian_participants(acting_user).filter(pk=participant.pk).exists():
        raise ConsentError("Only a parent or guardian linked to this participant signs here.")
    if text.kind not in GUARDIAN_KINDS or text.program_id != participant.program_id:
        raise ConsentError("This consent is not one you can sign here.")
    if not agreed:
        raise ConsentError("Tick the box to say you have read and agree to this consent.")
    name = clean_guardian_name(signed_name, acting_user)
    return _signed(participant, text, name, ip_address, user_agent, acting_user, guardian=True)


def _signed(
    participant: Participant,
    text: ConsentText,
    name: str,
    ip_address: str | None,
    user_agent: str,
    acting_user: User,
    *,
    guardian: bool = False,
) -> Consent:
    """The signature both `sign` and `sign_for_ward` make once the signer is allowed."""
    current = current_text(text.program, text.kind)
    if current is None or current.pk != text.pk:
        raise StaleText(
            "Your program updated this consent while you were reading it. "
            "Please read the new version below before you sign."
        )
    if (
        Consent.objects.in_force()
        .filter(participant=participant, kind=text.kind, text=text)
        .exists()
    ):
        raise ConsentError("You have signed this consent already.")
    now = timezone.now()
    days = EXPIRY_DAYS.get(ConsentKind(text.kind))
    consent = Consent.objects.create(
        participant=participant,
        kind=text.kind,
        text=text,
        signed_name=name,
        signed_at=now,
        signed_by=acting_user,
        signer_ip=ip_address or None,
        signer_user_agent=user_agent[:USER_AGENT_LIMIT],
        text_sha256=text.sha256,
        expires_on=timezone.localdate(now) + timedelta(days=days) if days else None,
    )
    details: dict[str, object] = {"kind": text.kind, "version": text.version}
    if guardian:
        details["signer"] = "guardian"
    record(
        "consent.signed",
        acting_user=acting_user,
        participant=participant,
        target=consent,
        details=details,
    )
    return consent


@transaction.atomic
def revoke(consent: Consent, *, acting_user: User) -> Consent:
    """End a revocable consent now: `in_force` stops returning it at once."""
    try:
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
    except Consent.DoesNotExist as exc:  # pragma: no cover - the gate found it a moment ago
        raise ConsentError("This consent no longer exists.") from exc
    guardian = acting_user.is_guardian
    if guardian and (
        consent.kind not in GUARDIAN_KINDS
        or not guardian_participants(acting_user).filter(pk=consent.participant_id).exists()
    ):
        raise ConsentError("Only a parent or guardian linked to this participant revokes here.")
    if consent.kind not in REVOCABLE:
        raise ConsentError(why_not_revocable(consent.kind, guardian=guardian))
    if consent.status == Consent.Status.REVOKED:
        raise ConsentError("This consent is revoked already.")
    consent.status = Consent.Status.REVOKED
    consent.revoked_at = timezone.now()
    consent.revoked_by = acting_user
    try:
        consent.save(update_fields=["status", "revoked_at", "revoked_by"])
    except IntegrityError as exc:  # pragma: no cover - the check constraint is met above
        raise ConsentError("This consent could not be revoked.") from exc
    details: dict[str, object] = {"kind": consent.kind}
    if guardian:
        details["signer"] = "guardian"
    record(
        "consent.revoked",
        acting_user=acting_user,
        participant=consent.participant,
        target=consent,
        details=details,
    )
    return consent


def why_not_revocable(kind: str, *, guardian: bool = False) -> str:
    """Plain words for a kind the portal does not revoke (see REVOCABLE in models), to the
    participant or to their parent or guardian."""
    if guardian:
        return (
            "This form stays in place while the person you look after takes part in the "
            "program. If you want to change it, contact the program."
        )
    if kind == ConsentKind.TREATMENT:
        return (
            "Consent to treatment ends when you leave the program. If you want to stop "
            "treatment, talk to your care team: they will help you plan what comes next."
        )
    return (
        "This agreement protects the privacy and safety of everyone in your sessions, so it "
        "stays in place while you take part in the program. If you have concerns about it, "
        "talk to your care team."
    )
