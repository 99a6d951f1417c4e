"""Changes to the chart's clinical summary: diagnoses, problem list, medications, allergies.

Every change, whatever the kind:
1. locks the participant's row, then the item's (one writer per chart at a time, so making a
   diagnosis primary cannot race another, and the audit chain's lock comes last);
2. for a change or removal, checks the `version` the form started from and raises StaleSummaryEdit
   (carrying the row as it is now) if someone saved in between;
3. saves the row with `version` + 1, appends a SummaryRevision snapshot, and records one audit
   event `careplans.<kind>_added|_changed|_removed` whose details hold the item's code, the
   kind, the new version and the names of the fields that changed (never their values).

Nothing is deleted: removing an item is a status change (a diagnosis resolved or ruled out, a
problem resolved, a medication stopped, an allergy marked inactive), so its history stays.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.careplans.icd10 import normalize_code, title_for
from openiop.careplans.models import (
    ICD10_CM,
    Allergy,
    Diagnosis,
    Medication,
    ProblemListEntry,
    SummaryRevision,
)
from openiop.intake.models import EpisodeOfCare
from openiop.participants.models import Participant

Kind = SummaryRevision.Kind

# The fields a revision keeps, in the order the history page shows them.
SNAPSHOT_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.DIAGNOSIS: ("icd10_code", "description", "rank", "onset_on", "status", "source"),
    Kind.PROBLEM: ("description", "onset_on", "status"),
    Kind.MEDICATION: ("name", "dose", "prescriber", "started_on", "stopped_on"),
    Kind.ALLERGY: ("substance", "reaction", "severity", "is_active"),
}

# The fields a clinician may change (the rest are set by the platform).
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.DIAGNOSIS: ("icd10_code", "description", "rank", "onset_on", "status"),
    Kind.PROBLEM: ("description", "onset_on", "status"),
    Kind.MEDICATION: ("name", "dose", "prescriber", "started_on", "stopped_on"),
    Kind.ALLERGY: ("substance", "reaction", "severity", "is_active"),
}

CURRENT_DIAGNOSIS = (Diagnosis.Status.ACTIVE, Diagnosis.Status.IN_REMISSION)
REMOVED_DIAGNOSIS = (Diagnosis.Status.RESOLVED, Diagnosis.Status.RULED_OUT)


class StaleSummaryEdit(Exception):
    """Someone saved the item after the form was opened; `current` is the row as saved."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale summary edit")
        self.current = current


def is_current(kind: str, row: Any) -> bool:
    if kind == Kind.DIAGNOSIS:
        return row.status in CURRENT_DIAGNOSIS
    if kind == Kind.PROBLEM:
        return row.status == ProblemListEntry.Status.ACTIVE
    if kind == Kind.MEDICATION:
        return row.stopped_on is None
    return bool(row.is_active)


def snapshot(kind: str, row: Any) -> dict[str, Any]:
    data = {}
    for name in SNAPSHOT_FIELDS[kind]:
        value = getattr(row, name)
        data[name] = value.isoformat() if isinstance(value, date) else value
    return data


# Adding -------------------------------------------------------------------------------------


@transaction.atomic
def add_diagnosis(
    participant: Participant, *, fields: dict[str, Any], acting_user: User
) -> Diagnosis:
    """A clinician's diagnosis. An empty description takes the code's title when on file."""
    _lock(participant)
    fields = dict(fields)
    fields["icd10_code"] = normalize_code(fields.get("icd10_code", ""))
    if not fields.get("description", "").strip():
        fields["description"] = title_for(fields["icd10_code"])
    row = Diagnosis(participant=participant, source=Diagnosis.Source.CLINICIAN, **fields)
    return _save_diagnosis(row, changed=fields, event="added", acting_user=acting_user)


@transaction.atomic
def add_problem(
    participant: Participant, *, fields: dict[str, Any], acting_user: User
) -> ProblemListEntry:
    _lock(participant)
    row = ProblemListEntry(participant=participant, **fields)
    return _save(Kind.PROBLEM, row, changed=fields, event="added", acting_user=acting_user)


@transaction.atomic
def add_medication(
    participant: Participant, *, fields: dict[str, Any], acting_user: User
) -> Medication:
    """A medication the participant takes or took (recorded, not prescribed)."""
    _lock(participant)
    row = Medication(participant=participant, **fields)
    _check_medication_dates(row)
    return _save(Kind.MEDICATION, row, changed=fields, event="added", acting_user=acting_user)


@transaction.atomic
def add_allergy(participant: Participant, *, fields: dict[str, Any], acting_user: User) -> Allergy:
    _lock(participant)
    row = Allergy(participant=participant, **fields)
    return _save(Kind.ALLERGY, row, changed=fields, event="added", acting_user=acting_user)


# Changing -----------------------------------------------------------------------------------


@transaction.atomic
def change_diagnosis(
    diagnosis: Diagnosis, *, fields: dict[str, Any], expected_version: int, acting_user: User
) -> Diagnosis:
    fields = dict(fields)
    if "icd10_code" in fields:
        fields["icd10_code"] = normalize_code(fields["icd10_code"])
    if "description" in fields and not fields["description"].strip():
        fields["description"] = title_for(fields.get("icd10_code", diagnosis.icd10_code))
    row, changed, event = _start_change(Kind.DIAGNOSIS, diagnosis, fields, expected_version)
    if not changed:
        return row
    return _save_diagnosis(row, changed=changed, event=event, acting_user=acting_user)


@transaction.atomic
def change_problem(
    problem: ProblemListEntry,
    *,
    fields: dict[str, Any],
    expected_version: int,
    acting_user: User,
) -> ProblemListEntry:
    return _change(Kind.PROBLEM, problem, fields, expected_version, acting_user)


@transaction.atomic
def change_medication(
    medication: Medication, *, fields: dict[str, Any], expected_version: int, acting_user: User
) -> Medication:
    return _change(Kind.MEDICATION, medication, fields, expected_version, acting_user)


@transaction.atomic
def change_allergy(
    allergy: Allergy, *, fields: dict[str, Any], expected_version: int, acting_user: User
) -> Allergy:
    return _change(Kind.ALLERGY, allergy, fields, expected_version, acting_user)


# Removing (a status change; nothing is deleted) ---------------------------------------------


@transaction.atomic
def remove_diagnosis(
    diagnosis: Diagnosis, *, status: str, expected_version: int, acting_user: User
) -> Diagnosis:
    """Resolved or ruled out: off the current list, kept in the record."""
    if status not in REMOVED_DIAGNOSIS:
        raise ValidationError({"status": "Choose resolved or ruled out."})
    return change_diagnosis(
        diagnosis,
        fields={"status": status},
        expected_version=expected_version,
        acting_user=acting_user,
    )


@transaction.atomic
def remove_problem(
    problem: ProblemListEntry, *, expected_version: int, acting_user: User
) -> ProblemListEntry:
    return _change(
        Kind.PROBLEM,
        problem,
        {"status": ProblemListEntry.Status.RESOLVED},
        expected_version,
        acting_user,
    )


@transaction.atomic
def remove_medication(
    medication: Medication, *, stopped_on: date, expected_version: int, acting_user: User
) -> Medication:
    """Stopped on `stopped_on`: moves to past medications."""
    return _change(
        Kind.MEDICATION, medication, {"stopped_on": stopped_on}, expected_version, acting_user
    )


@transaction.atomic
def remove_allergy(allergy: Allergy, *, expected_version: int, acting_user: User) -> Allergy:
    return _change(Kind.ALLERGY, allergy, {"is_active": False}, expected_version, acting_user)


# Diagnoses from intake ----------------------------------------------------------------------


@transaction.atomic
def import_intake_diagnoses(episode: EpisodeOfCare, *, acting_user: User) -> list[Diagnosis]:
    """The intake assessment's working diagnoses (ICD-10-CM F-codes) become the chart's.

    Registered with intake's `on_admitted` hook, and called again when the summary opens for
    charts admitted before the hook existed, so it runs at most once per chart: nothing
    happens once any diagnosis came from intake (a diagnosis ruled out since is still there).
    Codes already current on the chart are skipped; the first one imported is primary unless
    a current primary exists. The rows are the assessing clinician's; the audit events name
    the user whose action imported them.
    """
    participant = episode.participant
    _lock(participant)
    assessment = getattr(episode.referral, "assessment", None)
    if assessment is None or not assessment.diagnoses:
        return []
    chart = Diagnosis.objects.filter(participant=participant)
    if chart.filter(source=Diagnosis.Source.INTAKE).exists():
        return []
    current = set(chart.filter(status__in=CURRENT_DIAGNOSIS).values_list("icd10_code", flat=True))
    has_primary = chart.filter(status__in=CURRENT_DIAGNOSIS, rank=Diagnosis.Rank.PRIMARY).exists()
    imported = []
    for code in _valid_codes(assessment.diagnoses):
        if code in current:
            continue
        current.add(code)
        rank = Diagnosis.Rank.SECONDARY if has_primary else Diagnosis.Rank.PRIMARY
        has_primary = True
        row = Diagnosis(
            participant=participant,
            icd10_code=code,
            description=title_for(code),
            rank=rank,
            source=Diagnosis.Source.INTAKE,
        )
        fields = {"icd10_code": code, "description": row.description, "rank": rank}
        imported.append(
            _save(
                Kind.DIAGNOSIS,
                row,
                changed=fields,
                event="added",
                acting_user=acting_user,
                author=assessment.completed_by,
                details={"source": Diagnosis.Source.INTAKE, "automatic": True},
            )
        )
    return imported


def import_missing_intake_diagnoses(
    participant: Participant, *, acting_user: User
) -> list[Diagnosis]:
    """For charts admitted before intake diagnoses reached the summary: one query when there is
    nothing to import, two when it was imported already."""
    episode = (
        EpisodeOfCare.objects.filter(participant=participant)
        .select_related("referral__assessment", "participant")
        .order_by("-admitted_at", "-id")
        .first()
    )
    assessment = getattr(episode.referral, "assessment", None) if episode else None
    if episode is None or assessment is None or not assessment.diagnoses:
        return []
    if Diagnosis.objects.filter(participant=participant, source=Diagnosis.Source.INTAKE).exists():
        return []
    return import_intake_diagnoses(episode, acting_user=acting_user)


def _valid_codes(codes: Iterable[Any]) -> list[str]:
    valid = []
    for value in codes:
        code = normalize_code(str(value))
        try:
            ICD10_CM(code)
        except ValidationError:
            continue
        if code not in valid:
            valid.append(code)
    return valid


# Shared steps -------------------------------------------------------------------------------


def _lock(participant: Participant) -> None:
    Participant.objects.select_for_update().filter(pk=participant.pk).values_list("pk").get()


def _start_change(
    kind: str, row: Any, fields: dict[str, Any], expected_version: int
) -> tuple[Any, list[str], str]:
    """The row locked and updated in memory, the names of the fields that changed, and the
    audit verb: "removed" when the change takes the item off the current list."""
    unknown = set(fields) - set(EDITABLE_FIELDS[kind])
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _lock(row.participant)
    current = type(row).objects.select_for_update().get(pk=row.pk)
    if current.version != expected_version:
        raise StaleSummaryEdit(current)
    was_current = is_current(kind, current)
    changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
    for name in changed:
        setattr(current, name, fields[name])
    event = "removed" if was_current and not is_current(kind, current) else "changed"
    return current, changed, event


def _change(
    kind: str, row: Any, fields: dict[str, Any], expected_version: int, acting_user: User
) -> Any:
    current, changed, event = _start_change(kind, row, fields, expected_version)
    if not changed:
        return current
    if kind == Kind.MEDICATION:
        _check_medication_dates(current)
    return _save(kind, current, changed=changed, event=event, acting_user=acting_user)


def _save_diagnosis(
    row: Diagnosis, *, changed: Iterable[str], event: str, acting_user: User
) -> Diagnosis:
    """Diagnosis rules first (a clear message rather than a constraint error): one current row
    per code, and making this one primary demotes the current primary."""
    _validate(Kind.DIAGNOSIS, row)
    others = Diagnosis.objects.filter(
        participant_id=row.participant_id, status__in=CURRENT_DIAGNOSIS
    ).exclude(pk=row.pk)
    if row.status in CURRENT_DIAGNOSIS:
        if others.filter(icd10_code=row.icd10_code).exists():
            raise ValidationError(
                {"icd10_code": f"{row.icd10_code} is already a current diagnosis on this chart."}
            )
        if row.rank == Diagnosis.Rank.PRIMARY:
            for other in others.filter(rank=Diagnosis.Rank.PRIMARY).select_for_update():
                other.rank = Diagnosis.Rank.SECONDARY
                _save(
                    Kind.DIAGNOSIS,
                    other,
                    changed=["rank"],
                    event="changed",
                    acting_user=acting_user,
                )
    return _save(Kind.DIAGNOSIS, row, changed=changed, event=event, acting_user=acting_user)


def _check_medication_dates(row: Medication) -> None:
    if row.started_on and row.stopped_on and row.stopped_on < row.started_on:
        raise ValidationError({"stopped_on": "The stop date is before the start date."})
    if row.stopped_on and row.stopped_on > timezone.localdate():
        raise ValidationError(
            {"stopped_on": "The stop date is in the future: record the stop when it happens."}
        )


def _validate(kind: str, row: Any) -> None:
    """The model's own rules (lengths, choices, the ICD-10-CM format), field by field."""
    row.full_clean(
        exclude=["participant", "updated_by"], validate_unique=False, validate_constraints=False
    )


def _save(
    kind: str,
    row: Any,
    *,
    changed: Iterable[str],
    event: str,
    acting_user: User,
    author: User | None = None,
    details: dict[str, Any] | None = None,
) -> Any:
    author = author or acting_user
    if kind != Kind.DIAGNOSIS:
        _validate(kind, row)
    row.version = row.version + 1 if row.pk else 1
    row.updated_by = author
    row.save()
    SummaryRevision.objects.create(
        participant_id=row.participant_id,
        kind=kind,
        item_code=row.code,
        version=row.version,
        data=snapshot(kind, row),
        changed_by=author,
        changed_at=timezone.now(),
    )
    record(
        f"careplans.{kind}_{event}",
        acting_user=acting_user,
        participant=row.participant,
        target=row,
        details={
            "item": str(row.code),
            "kind": kind,
            "version": row.version,
            "fields": sorted(changed),
            **(details or {}),
        },
    )
    return row
