"""Writing, saving and signing a brief safety assessment (docs/safety.md).

draft (start_assessment; save_draft, by the page every few seconds and by its buttons) →
signed (sign_assessment; then read-only). Only the author changes or signs a draft; only a
licensed clinician authors one (openiop.safety.access.assessment.may_author).

The signature covers a SHA-256 hash of the content (openiop.lib.integrity); the signed page
checks the stored content still matches it.
"""

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib.integrity import content_hash
from openiop.participants.models import Participant
from openiop.safety import hooks_assessment, timeline
from openiop.safety.access.assessment import may_author
from openiop.safety.models import Acuity, AlertEvent, SafetyAlert, SafetyAssessment

# Each free-text part holds up to this many characters (the issue's "10,000-character
# assessments"); a longer text is refused with a message and kept on the page.
ASSESSMENT_TEXT_LIMIT = 10_000

TEXT_FIELDS = (
    "risk_factors",
    "protective_factors",
    "recent_behaviour",
    "lethal_means_detail",
    "formulation",
    "disposition_detail",
)
CHOICE_FIELDS = ("lethal_means", "risk_level", "disposition")
# What save_draft may change: the texts, the choices and the linked instrument response.
DRAFT_FIELDS = TEXT_FIELDS + CHOICE_FIELDS + ("instrument_response_id",)
# Dispositions that send the participant on today: the signed page shows the next steps.
URGENT_DISPOSITIONS = (
    SafetyAssessment.Disposition.URGENT_EVALUATION,
    SafetyAssessment.Disposition.EMERGENCY_SERVICES,
)


class AssessmentError(Exception):
    """A request the rules refuse; the message is safe to show."""


class AssessmentLocked(AssessmentError):
    def __init__(self) -> None:
        super().__init__("This assessment is signed: it can no longer be changed.")


class AssessmentConflict(AssessmentError):
    def __init__(self, current_version: int) -> None:
        super().__init__(
            "This assessment was saved elsewhere (another tab or device) since you opened it. "
            "Your text is below: copy it, then open the saved version."
        )
        self.current_version = current_version


class AssessmentIncomplete(AssessmentError):
    """What signing still needs: (field, message) pairs."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        super().__init__(" ".join(message for _, message in missing))
        self.missing = missing


def _lock(assessment: SafetyAssessment) -> SafetyAssessment:
    return (
        SafetyAssessment.objects.select_for_update(of=("self",))
        .select_related("participant", "alert", "author", "instrument_response")
        .get(pk=assessment.pk)
    )


@transaction.atomic
def start_assessment(
    participant: Participant, *, alert: SafetyAlert | None = None, acting_user: User
) -> tuple[SafetyAssessment, bool]:
    """The user's draft for this alert (or, from the chart, for this participant without an
    alert), or a new one. Returns (assessment, created): following "Start" twice makes one."""
    if not may_author(acting_user):
        raise AssessmentError(
            "Only a licensed clinician (a clinician or director of a clinical discipline) "
            "writes a brief safety assessment."
        )
    if alert is not None and alert.participant_id != participant.pk:
        raise ValueError("the alert is about another participant")
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    existing = SafetyAssessment.objects.filter(
        participant=participant,
        alert=alert,
        author=acting_user,
        status=SafetyAssessment.Status.DRAFT,
    ).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    assessment = SafetyAssessment.objects.create(
        participant=participant, alert=alert, author=acting_user, started_at=now
    )
    if alert is not None:
        timeline.log(alert, AlertEvent.Kind.ASSESSMENT_STARTED, actor=acting_user, at=now)
    record(
        "safety.assessment_started",
        acting_user=acting_user,
        participant=participant,
        target=assessment,
        details={
            "assessment": str(assessment.code),
            "alert": str(alert.code) if alert is not None else None,
        },
    )
    return assessment, True


def _check_lengths(values: dict[str, Any]) -> None:
    for name in TEXT_FIELDS:
        if len(values.get(name) or "") > ASSESSMENT_TEXT_LIMIT:
            raise AssessmentError(
                f"A part of the assessment is longer than {ASSESSMENT_TEXT_LIMIT:,} characters."
            )


def _check_response(assessment: SafetyAssessment, response_id: int | None) -> None:
    """Only a completed response of a site suicide-risk instrument, for this participant."""
    if response_id is None:
        return
    offered = {r.pk for r in hooks_assessment.risk_instruments(assessment.participant).responses}
    if response_id not in offered:
        raise AssessmentError(
            "Link a completed response of the site's suicide-risk instrument for this participant."
        )


@transaction.atomic
def save_draft(
    assessment: SafetyAssessment,
    *,
    values: dict[str, Any],
    expected_version: int,
    acting_user: User,
    automatic: bool = False,
) -> list[str]:
    """Save the draft's fields (keys from DRAFT_FIELDS). Returns the names that changed (none:
    nothing written, the version stays). AssessmentLocked once signed; AssessmentConflict when
    the draft moved on from `expected_version` and this save would change it."""
    locked = _lock(assessment)
    if locked.is_signed:
        raise AssessmentLocked
    if locked.author_id != acting_user.pk:
        raise AssessmentError("Only the assessment's author can change it.")
    unknown = set(values) - set(DRAFT_FIELDS)
    if unknown:
        raise ValueError(f"not draft fields: {sorted(unknown)}")
    _check_lengths(values)
    changed = [name for name, value in values.items() if getattr(locked, name) != value]
    if not changed:
        return []
    if expected_version != locked.version:
        raise AssessmentConflict(locked.version)
    if "instrument_response_id" in changed:
        _check_response(locked, values["instrument_response_id"])
    for name in changed:
        setattr(locked, name, values[name])
    locked.version += 1
    locked.save(update_fields=[*changed, "version", "updated_at"])
    record(
        "safety.assessment_saved",
        acting_user=acting_user,
        participant=locked.participant,
        target=locked,
        details={
            "assessment": str(locked.code),
            "version": locked.version,
            "fields": changed,
            "automatic": automatic,
        },
    )
    assessment.version = locked.version
    for name in changed:
        setattr(assessment, name, values[name])
    return changed


def missing_for_signing(assessment: SafetyAssessment) -> list[tuple[str, str]]:
    """What a draft still needs before it can be signed, as (field, message)."""
    missing: list[tuple[str, str]] = []

    def need(name: str, message: str) -> None:
        if not (getattr(assessment, name) or "").strip():
            missing.append((name, message))

    if assessment.instrument_response_id is None:
        need("risk_factors", "Describe the risk factors (or note that none were found).")
        need("protective_factors", "Describe the protective factors.")
        need("recent_behaviour", "Describe recent suicidal thoughts and behaviour, or none.")
        need("lethal_means", "Say whether the participant has access to lethal means.")
        if assessment.lethal_means == SafetyAssessment.LethalMeans.HAS_ACCESS:
            need("lethal_means_detail", "Say which means, and what was agreed to make them safe.")
    need("risk_level", "Choose the risk level.")
    need("formulation", "Write the risk formulation.")
    need("disposition", "Choose the disposition.")
    if assessment.disposition in URGENT_DISPOSITIONS:
        need("disposition_detail", "Say where the participant is going, with whom, and when.")
    return missing


def signed_content(assessment: SafetyAssessment) -> dict[str, Any]:
    """What the signature covers."""
    response = assessment.instrument_response
    return {
        "assessment": str(assessment.code),
        "participant": str(assessment.participant.code),
        "alert": str(assessment.alert.code) if assessment.alert is not None else None,
        "author": str(assessment.author.code),
        "version": assessment.version,
        "instrument_response": str(response.code) if response is not None else None,
        **{name: getattr(assessment, name) for name in TEXT_FIELDS + CHOICE_FIELDS},
    }


def signature_matches(assessment: SafetyAssessment) -> bool:
    return assessment.is_signed and content_hash(signed_content(assessment)) == (
        assessment.content_hash
    )


@transaction.atomic
def sign_assessment(
    assessment: SafetyAssessment, *, expected_version: int, acting_user: User
) -> SafetyAssessment:
    """Sign the draft as its author: complete, as read (`expected_version`), then read-only."""
    locked = _lock(assessment)
    if locked.is_signed:
        raise AssessmentLocked
    if locked.author_id != acting_user.pk:
        raise AssessmentError("Only the assessment's author can sign it.")
    if not may_author(acting_user):
        raise AssessmentError("Only a licensed clinician signs a brief safety assessment.")
    if expected_version != locked.version:
        raise AssessmentConflict(locked.version)
    missing = missing_for_signing(locked)
    if missing:
        raise AssessmentIncomplete(missing)
    now = timezone.now()
    locked.status = SafetyAssessment.Status.SIGNED
    locked.signed_at = now
    locked.content_hash = content_hash(signed_content(locked))
    locked.save(update_fields=["status", "signed_at", "content_hash", "updated_at"])
    if locked.alert is not None:
        timeline.log(
            locked.alert,
            AlertEvent.Kind.ASSESSMENT_SIGNED,
            actor=acting_user,
            detail=f"{locked.get_risk_level_display()} risk; {locked.get_disposition_display()}",
            at=now,
        )
    record(
        "safety.assessment_signed",
        acting_user=acting_user,
        participant=locked.participant,
        target=locked,
        details={
            "assessment": str(locked.code),
            "alert": str(locked.alert.code) if locked.alert is not None else None,
            "risk_level": locked.risk_level,
            "disposition": locked.disposition,
            "response": str(locked.instrument_response.code)
            if locked.instrument_response is not None
            else None,
        },
    )
    return locked


# --- The acknowledgement rule --------------------------------------------------------------

NEEDS_ASSESSMENT = (Acuity.HIGH, Acuity.EMERGENCY)


def needs_assessment(alert: SafetyAlert) -> bool:
    """Acknowledging a high or emergency alert needs a signed brief safety assessment."""
    return alert.acuity in NEEDS_ASSESSMENT


def assessment_for_acknowledgement(alert: SafetyAlert) -> SafetyAssessment | None:
    """The signed assessment that allows acknowledging `alert`: one started from it, or any
    signed for the same participant since the alert opened (a clinician who assessed from the
    chart after the alert need not assess again)."""
    return (
        SafetyAssessment.objects.filter(
            participant_id=alert.participant_id, status=SafetyAssessment.Status.SIGNED
        )
        .filter(Q(alert=alert) | Q(signed_at__gte=alert.opened_at))
        .order_by("-signed_at")
        .first()
    )
