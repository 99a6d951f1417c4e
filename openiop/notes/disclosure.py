"""The 42 CFR Part 2 disclosure gate (CLINICAL.md §6.5): nothing labelled leaves without a
consent that covers it.

Part 2 information in the designated record (notes.record):
- notes labelled `part2` (notes.labels: written in a Part 2 program);
- diagnoses of a substance use disorder (ICD-10-CM F10–F19, consent.part2.is_sud_code);
- treatment plans of a participant of a Part 2 program, or citing an SUD diagnosis;
- the name of a Part 2 program in the chart header: it identifies the person as its patient.

A consent covers them when it is the participant's, in force today, and either a Part 2
consent for treatment, payment and operations (PART2_TPO; staff exports of the record are TPO
uses) or a release that says it includes Part 2 records (42 CFR 2.31(a)(3)).

SUD counseling notes (42 CFR 2.11, 2024 rule) need their own consent (PART2_COUNSELING_NOTES)
that no other consent can stand in for. Notes have no counseling-note category today; the
notes kept apart from the record (psychotherapy notes, notes.psychotherapy) are never read by
notes.record, so no export, release or copy can carry them. The counseling-notes consent is
recorded for when that category exists (docs/consent.md).

Disclosures to the participant themself (their own downloads: right of access) are not
filtered: Part 2 lets a patient see their own record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection
from datetime import date
from typing import TYPE_CHECKING, Any

from openiop.careplans.models import Diagnosis, TreatmentPlan
from openiop.consent.models import Consent, ConsentKind
from openiop.consent.part2 import is_sud_code
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.programs.models import Program

if TYPE_CHECKING:
    # record.py imports this module (its export passes the gate).
    from openiop.notes.record import DesignatedRecord


def covers_part2(
    consent: Consent | None, participant: Participant, *, on: date | None = None
) -> bool:
    """Whether `consent` lets Part 2 information of `participant` go out today (or `on`).

    The consent's status is read again from the database: a revocation takes effect at once,
    even for a consent loaded before it (42 CFR 2.31(a)(6))."""
    if consent is None or consent.participant_id != participant.pk:
        return False
    current = Consent.objects.filter(pk=consent.pk).values_list("status", flat=True).first()
    if current != Consent.Status.SIGNED or not consent.is_in_force(on):
        return False
    if consent.kind == ConsentKind.PART2_TPO:
        return True
    return consent.kind == ConsentKind.RELEASE and consent.includes_part2


def without_payment_consent(participant_ids: Collection[int], *, program: Program) -> set[int]:
    """Of `participant_ids` (participants of `program`), those whose claims would carry Part 2
    information to a payer without a consent that lets it go: the program is a Part 2 program
    (its substance use service codes name the person as its patient) or they have an active
    SUD diagnosis (the claim lists it), and no Part 2 consent for treatment, payment and
    operations is in force now (CLINICAL.md §6.5: a claim is a disclosure for payment).

    A release does not stand in for it, even one that includes Part 2 records: it names its
    own recipient and purpose. At most two queries, whatever the number of participants."""
    ids = set(participant_ids)
    if not ids:
        return set()
    if program.part2_program:
        part2 = ids
    else:
        part2 = {
            pid
            for pid, code in Diagnosis.objects.filter(
                participant_id__in=ids, status=Diagnosis.Status.ACTIVE
            ).values_list("participant_id", "icd10_code")
            if is_sud_code(code)
        }
    if not part2:
        return set()
    consented = set(
        Consent.objects.in_force()
        .filter(participant_id__in=part2, kind=ConsentKind.PART2_TPO)
        .values_list("participant_id", flat=True)
    )
    return part2 - consented


def _is_part2_program(participant: Participant) -> bool:
    return participant.program is not None and participant.program.part2_program


def _plan_is_part2(plan: TreatmentPlan, sud_ids: set[int], in_part2_program: bool) -> bool:
    if in_part2_program:
        return True
    return any(d.pk in sud_ids for problem in plan.problems.all() for d in problem.diagnoses.all())


def is_part2_item(record: DesignatedRecord) -> Callable[[Any], bool]:
    """A test of the record's rows (Participant, Diagnosis, TreatmentPlan, Note, ...): whether
    each is Part 2 information (for labels such as FHIR meta.security)."""
    in_program = _is_part2_program(record.participant)
    sud_ids = {d.pk for d in record.diagnoses if is_sud_code(d.icd10_code)}

    def test(obj: Any) -> bool:
        if isinstance(obj, Note):
            return obj.part2
        if isinstance(obj, Diagnosis):
            return obj.pk in sud_ids
        if isinstance(obj, TreatmentPlan):
            return _plan_is_part2(obj, sud_ids, in_program)
        if isinstance(obj, Participant):
            return in_program
        return False

    return test


def _split(record: DesignatedRecord) -> tuple[int, DesignatedRecord]:
    """(number of Part 2 items, the record without them)."""
    in_program = _is_part2_program(record.participant)
    sud_ids = {d.pk for d in record.diagnoses if is_sud_code(d.icd10_code)}
    plans = [p for p in record.plans if not _plan_is_part2(p, sud_ids, in_program)]
    notes = [entry for entry in record.notes if not entry.note.part2]
    count = len(sud_ids) + (len(record.plans) - len(plans)) + (len(record.notes) - len(notes))
    kept = dataclasses.replace(
        record,
        diagnoses=[d for d in record.diagnoses if d.pk not in sud_ids],
        plans=plans,
        notes=notes,
        program_withheld=in_program,
    )
    return count, kept


def for_disclosure(
    record: DesignatedRecord, *, consent: Consent | None
) -> tuple[DesignatedRecord, int, bool]:
    """The record as it may leave OpenIOP under `consent` (None: no consent on file).

    Returns (the record to send, how many Part 2 items were withheld, whether Part 2
    information goes out). The returned record says the same in `part2_withheld` and
    `part2_included`, so its PDF can print the withheld line or the §2.32 notice.
    """
    count, kept = _split(record)
    if count == 0 and not kept.program_withheld:
        return record, 0, False
    if covers_part2(consent, record.participant):
        return dataclasses.replace(record, part2_included=True), 0, True
    return dataclasses.replace(kept, part2_withheld=count), count, False
