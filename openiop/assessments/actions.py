from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import change
from openiop.assessments.definitions import SHIPPED_DIR, parse_definition
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.assessments.scoring import ScoreResult, score, validate_answers
from openiop.audit.actions import record
from openiop.participants.models import Participant
from openiop.safety.actions import AlertTrigger, SafetyAlert, raise_alert, raise_critical_item_alert
from openiop.safety.acuity import acuity_for


class AssessmentError(Exception):
    """A request the assessment rules refuse; the message is safe to show."""


class VersionConflict(AssessmentError):
    pass


class AlreadySubmitted(AssessmentError):
    pass


class AlreadyCorrected(AssessmentError):
    pass


@transaction.atomic
def load_instrument(
    text: str, *, source: str, acting_user: User | None, shipped: bool = False
) -> tuple[InstrumentDefinition, bool]:
    """Validate a whole definition file, then store it. Returns (row, created).

    Nothing is written unless the file is valid (DefinitionError otherwise). Loading the
    same (id, version) again is a no-op; different content under a loaded version is refused,
    because stored responses point at that version.
    """
    definition = parse_definition(text, source=source)
    existing = InstrumentDefinition.objects.filter(
        key=definition.id, version=definition.version
    ).first()
    if existing is not None:
        if existing.source != definition.raw:
            raise VersionConflict(
                f"{source}: {definition.id} version {definition.version} is already loaded "
                "with different content; give the changed file a new version"
            )
        return existing, False
    row = InstrumentDefinition.objects.create(
        key=definition.id,
        version=definition.version,
        title=definition.title,
        source=definition.raw,
        validated=definition.validated,
        shipped=shipped,
        loaded_by=acting_user,
    )
    # An instrument has one current version: new assignments use the newest one loaded.
    InstrumentDefinition.objects.filter(key=definition.id).exclude(pk=row.pk).update(
        is_active=False
    )
    if acting_user is not None:
        record(
            "assessment.instrument_loaded",
            acting_user=acting_user,
            target=row,
            details={"version": row.version, "shipped": shipped},
        )
    return row, True


def load_shipped_instruments(*, acting_user: User | None) -> list[InstrumentDefinition]:
    rows = []
    for path in sorted(Path(SHIPPED_DIR).glob("*.json")):
        row, _ = load_instrument(
            path.read_text(encoding="utf-8"),
            source=path.name,
            acting_user=acting_user,
            shipped=True,
        )
        rows.append(row)
    return rows


def shipped_instrument(key: str) -> InstrumentDefinition:
    """The current version of a shipped instrument, loading the shipped files if a flushed
    database (e.g. after browser tests) lost what the data migration loaded."""
    row = InstrumentDefinition.objects.filter(key=key, is_active=True).first()
    if row is None:
        load_shipped_instruments(acting_user=None)
        row = InstrumentDefinition.objects.get(key=key, is_active=True)
    return row


@transaction.atomic
def assign_instrument(
    participant: Participant, instrument: InstrumentDefinition, *, acting_user: User
) -> Assignment:
    """Assign, or return the open assignment of the same instrument (no duplicates)."""
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    existing = Assignment.objects.filter(
        participant=participant, instrument=instrument, status=Assignment.Status.OPEN
    ).first()
    if existing is not None:
        return existing
    assignment = Assignment.objects.create(
        participant=participant, instrument=instrument, assigned_by=acting_user
    )
    record(
        "assessment.assigned",
        acting_user=acting_user,
        participant=participant,
        target=assignment,
    )
    return assignment


def draft_for(assignment: Assignment) -> Response | None:
    return assignment.responses.filter(status=Response.Status.IN_PROGRESS).first()


def _lock_open(assignment: Assignment) -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Assignment.Status.OPEN:
        raise AlreadySubmitted("This questionnaire has already been submitted.")
    return locked


def _save_draft(
    assignment: Assignment, answers: dict[str, Any], *, acting_user: User, source: str
) -> Response:
    definition = assignment.instrument.definition
    clean = validate_answers(definition, answers)
    response = draft_for(assignment)
    if response is None:
        response = Response(
            assignment=assignment,
            participant=assignment.participant,
            instrument=assignment.instrument,
            source=source,
            started_by=acting_user,
        )
    response.answers = clean
    response.save()
    return response


class Intent(StrEnum):
    """What the person answering asked for (the button they pressed)."""

    SAVE = "save"
    SUBMIT = "submit"
    SUBMIT_INCOMPLETE = "submit_incomplete"


@dataclass(frozen=True)
class Answered:
    response: Response
    submitted: bool
    # Required items still unanswered, as scoring sees them.
    missing: tuple[str, ...]


@transaction.atomic
def answer(
    assignment: Assignment,
    answers: dict[str, Any],
    *,
    intent: Intent,
    acting_user: User,
    source: str,
) -> Answered:
    """Answer a questionnaire: save the answers so far, submit, or submit incomplete.

    Raises InvalidAnswer for a bad answer (nothing is kept) and AlreadySubmitted when the
    assignment is closed. Scoring alone decides what is missing and what is critical:
    1. SAVE keeps the answers as the draft.
    2. SUBMIT submits when no required item is missing; otherwise it keeps the draft and
       returns the missing items, so the form can point at them.
    3. SUBMIT_INCOMPLETE submits whatever is there (a missing critical item still alerts).
    A critical answer goes to safety as soon as it is saved, not only when submitted, so a
    participant who stops halfway is not left unseen; safety decides whether it is new.
    """
    assignment = _lock_open(assignment)
    response = _save_draft(assignment, answers, acting_user=acting_user, source=source)
    result = score(assignment.instrument.definition, response.answers)
    if intent == Intent.SAVE or (intent == Intent.SUBMIT and result.missing):
        record(
            "assessment.answers_saved",
            acting_user=acting_user,
            participant=assignment.participant,
            target=response,
            details={"answered": len(response.answers)},
        )
        # A draft's unanswered items are not yet missing: only answers signal.
        answered = [hit for hit in _critical_items(result) if hit["reason"] == "answered"]
        raise_critical_item_alert(
            response.participant,
            response=response,
            critical_items=answered,
            submitted=False,
            acting_user=acting_user,
            rule=alert_rule(response.participant, answered),
        )
        return Answered(response=response, submitted=False, missing=result.missing)
    _submit(assignment, response, result, acting_user=acting_user, source=source)
    return Answered(response=response, submitted=True, missing=result.missing)


def _critical_items(result: ScoreResult) -> list[dict[str, Any]]:
    return [
        {
            "id": hit.id,
            "item": hit.item,
            "label": hit.label,
            "reason": hit.reason,
            "score": hit.score,
            "rule": hit.rule,
        }
        for hit in result.critical
    ]


def alert_rule(participant: Participant, critical_items: list[dict[str, Any]]) -> str:
    """The acuity rule of a response's signal: its most urgent critical item's rule (each
    item's rule comes from the instrument's ``alertRules``), in the participant's program."""
    rules = [hit.get("rule") or "critical_item" for hit in critical_items]
    if not rules:
        return "critical_item"
    return max(rules, key=lambda rule: acuity_for(rule, participant.program))


def _apply_result(response: Response, result: ScoreResult) -> None:
    response.complete = result.complete
    response.missing_items = list(result.missing)
    response.scores = {
        key: {
            "label": value.label,
            "value": value.value,
            "band": value.band.code if value.band else None,
            "band_label": value.band.label if value.band else None,
            # The range an incomplete score could still take (equal to value when complete).
            "low": value.low,
            "high": value.high,
        }
        for key, value in result.scores.items()
    }
    response.findings = dict(result.findings)
    response.critical_items = _critical_items(result)


def _submit(
    assignment: Assignment,
    response: Response,
    result: ScoreResult,
    *,
    acting_user: User,
    source: str,
) -> None:
    """Score and freeze the response; a critical item raises a safety alert in the same
    transaction, so a submission never lands without its alert."""
    _apply_result(response, result)
    now = timezone.now()
    response.status = Response.Status.SUBMITTED
    response.submitted_at = now
    response.submitted_by = acting_user
    response.save()
    assignment.status = Assignment.Status.COMPLETED
    assignment.completed_at = now
    assignment.save(update_fields=["status", "completed_at"])
    record(
        "assessment.submitted",
        acting_user=acting_user,
        participant=assignment.participant,
        target=response,
        details={
            "assignment": str(assignment.code),
            "source": source,
            "complete": result.complete,
        },
    )
    raise_critical_item_alert(
        response.participant,
        response=response,
        critical_items=response.critical_items,
        submitted=True,
        acting_user=acting_user,
        rule=alert_rule(response.participant, response.critical_items),
    )
    signal_deterioration(response, acting_user=acting_user)


@transaction.atomic
def correct_response(
    original: Response, answers: dict[str, Any], *, reason: str, acting_user: User
) -> Response:
    """A correction is a new submitted response linked to the one it replaces."""
    original = Response.objects.select_for_update().get(pk=original.pk)
    if not original.is_submitted:
        raise AssessmentError("Only a submitted response can be corrected.")
    if Response.objects.filter(replaces=original).exists():
        raise AlreadyCorrected("This response has already been corrected.")
    if not reason.strip():
        raise AssessmentError("Give the reason for the correction.")
    definition = original.instrument.definition
    clean = validate_answers(definition, answers)
    result = score(definition, clean)
    now = timezone.now()
    correction = Response(
        assignment=original.assignment,
        participant=original.participant,
        instrument=original.instrument,
        status=Response.Status.SUBMITTED,
        source=Response.Source.CLINICIAN,
        answers=clean,
        started_by=acting_user,
        submitted_at=now,
        submitted_by=acting_user,
        replaces=original,
        correction_reason=reason.strip(),
    )
    _apply_result(correction, result)
    correction.save()
    record(
        "assessment.corrected",
        acting_user=acting_user,
        participant=original.participant,
        target=correction,
        details={
            "replaces": str(original.code),
            "changed": sum(
                1
                for k in set(clean) | set(original.answers)
                if clean.get(k) != original.answers.get(k)
            ),
        },
    )
    raise_critical_item_alert(
        correction.participant,
        response=correction,
        critical_items=correction.critical_items,
        submitted=True,
        acting_user=acting_user,
        rule=alert_rule(correction.participant, correction.critical_items),
    )
    signal_deterioration(correction, acting_user=acting_user)
    return correction


def signal_deterioration(response: Response, *, acting_user: User) -> SafetyAlert | None:
    """Tell the care team, through a safety alert, when this response makes its measure's
    change from baseline a reliable deterioration (openiop.assessments.change).

    Only the crossing alerts: a response that is the latest on its measure, reliably worse than
    baseline, where the score before it was not. The next weekly score that stays worse adds
    nothing, so one deterioration is one alert to acknowledge, not one a week. With item 9 of
    the PHQ-9 above 0 the acuity rule is "deterioration_with_item9" (CLINICAL.md, acuity
    defaults); that answer has raised its own critical-item alert as well.
    """
    key = response.instrument.key
    rule = change.active_rules([key]).get((key, "total"))
    if rule is None:
        return None
    points = change.series(response.participant, key)
    if not points or points[-1].response != response.code:
        return None
    now, before = change.judge(points, rule), change.judge(points[:-1], rule)
    if not now.deteriorated or before.deteriorated:
        return None
    with_item9 = key == "phq-9" and any(
        hit.get("item") == "9" and hit.get("reason") == "answered"
        for hit in response.critical_items
    )
    return raise_alert(
        response.participant,
        kind=SafetyAlert.Kind.DETERIORATION,
        acting_user=acting_user,
        response=response,
        signal=AlertTrigger.Signal.RESPONSE_SUBMITTED,
        rule="deterioration_with_item9" if with_item9 else "deterioration",
        concern=describe_change(response.instrument.title, now),
    )


def describe_change(title: str, judged: change.Change) -> str:
    """e.g. "PHQ-9 …: 8 → 15 (+7); reliable deterioration (a change of 6 points or more)"."""
    assert judged.baseline is not None and judged.latest is not None
    delta = judged.change or 0
    if judged.method == change.Method.RCI:
        basis = f"RCI {judged.rci:+.2f}, beyond ±{change.RCI_CRITICAL}"
    else:
        basis = f"a change of {judged.threshold:g} points or more"
    return (
        f"{title}: {judged.baseline.value} → {judged.latest.value} ({delta:+d}); "
        f"{judged.reliable_label.lower()} ({basis})"
    )
