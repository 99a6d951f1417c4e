"""The participant's designated record (45 CFR 164.524; CLINICAL.md §6.3) as one PDF.

What it holds, in order:
1. the chart header;
2. the clinical summary: diagnoses, problem list, medications, allergies;
3. the treatment plans that took effect, the current one first, then the earlier versions;
4. every signed note with its addenda, oldest first (newest last).

What it never holds: drafts (of notes or plans), psychotherapy notes (45 CFR 164.501: kept
apart from the record; this module does not read `PsychotherapyNote` at all), and anything of
another participant: every query is filtered by this participant, and an attendee's note of a
group session holds the shared part and only their own individual part (GroupNote fan-out).
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.careplans.models import (
    Allergy,
    Diagnosis,
    Intervention,
    Medication,
    Objective,
    PlanSignature,
    ProblemListEntry,
    TreatmentPlan,
)
from openiop.consent import part2
from openiop.consent import queries as consent_queries
from openiop.consent.access_requests.actions import record_own_download
from openiop.consent.models import Consent, ConsentKind, Disclosure, Purpose
from openiop.consent.release_actions import record_disclosure
from openiop.lib.pdf import render_pdf
from openiop.notes import disclosure
from openiop.notes.models import FORM_SECTIONS, Addendum, Note
from openiop.participants.access import get_participant_for_user, own_chart
from openiop.participants.models import Participant

TEMPLATE = "notes/record.html"


@dataclass
class RecordNote:
    note: Note
    # (heading, text) in the order the form writes them; empty sections are left out.
    sections: list[tuple[str, str]]
    addenda: list[Addendum]
    objectives: list[Objective]
    scores: list[str]


@dataclass
class DesignatedRecord:
    participant: Participant
    diagnoses: list[Diagnosis]
    problems: list[ProblemListEntry]
    medications: list[Medication]
    allergies: list[Allergy]
    # The plan in effect (if any) first, then earlier versions, newest first.
    plans: list[TreatmentPlan]
    notes: list[RecordNote] = field(default_factory=list)
    # Set by the Part 2 gate (notes.disclosure.for_disclosure) on a copy that leaves OpenIOP:
    # how many Part 2 items it withheld, whether Part 2 information is in it (then the §2.32
    # notice goes with it), and whether the chart header's program name was withheld.
    part2_withheld: int = 0
    part2_included: bool = False
    program_withheld: bool = False


def signed_notes(participant: Participant) -> QuerySet[Note]:
    """The participant's signed notes, oldest first; a note without a start time sits at its
    signing time."""
    return (
        Note.objects.filter(participant=participant, status=Note.Status.SIGNED)
        .select_related("author", "signed_by", "cosigned_by", "session__group")
        .prefetch_related(
            Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
            Prefetch("objectives", queryset=Objective.objects.order_by("position", "id")),
        )
        .order_by(Coalesce("started_at", "signed_at"), "signed_at", "pk")
    )


def effective_plans(participant: Participant) -> list[TreatmentPlan]:
    """Plan versions that took effect (in effect or superseded); drafts and plans still
    awaiting signatures are not yet part of the record."""
    plans = (
        TreatmentPlan.objects.filter(
            participant=participant,
            status__in=[TreatmentPlan.Status.ACTIVE, TreatmentPlan.Status.SUPERSEDED],
        )
        .select_related("created_by")
        .prefetch_related(
            "problems__diagnoses",
            "problems__goals__objectives",
            Prefetch(
                "interventions",
                queryset=Intervention.objects.select_related("responsible_person"),
            ),
            Prefetch("signatures", queryset=PlanSignature.objects.select_related("signed_by")),
        )
    )
    epoch = datetime.min.replace(tzinfo=timezone.get_current_timezone())
    return sorted(
        plans,
        key=lambda plan: (
            plan.status != TreatmentPlan.Status.ACTIVE,
            -(plan.effective_at or plan.created_at or epoch).timestamp(),
            -plan.number,
        ),
    )


def _sections(note: Note) -> list[tuple[str, str]]:
    if note.kind == Note.Kind.GROUP:
        pairs = [
            ("Group session (shared part)", note.shared_text),
            ("Individual part", note.individual_text),
        ]
    else:
        pairs = [
            (label, str(note.sections.get(key, "") or ""))
            for key, label in FORM_SECTIONS.get(note.form, [])
        ]
    pairs += [
        ("Risk comment", note.risk_comment),
        ("Medications reviewed", note.medications_reviewed),
    ]
    return [(heading, text) for heading, text in pairs if text and text.strip()]


def _score_text(score: Any) -> str:
    """A copied score as one line, whatever shape its writer gave it."""
    if isinstance(score, dict):
        label = score.get("label") or score.get("instrument") or score.get("name") or ""
        value = score.get("value", score.get("total", score.get("score", "")))
        band = score.get("band_label") or score.get("band") or ""
        text = f"{label}: {value}" if label else str(value)
        return f"{text} ({band})" if band else text
    return str(score)


def designated_record(participant: Participant) -> DesignatedRecord:
    notes = [
        RecordNote(
            note=note,
            sections=_sections(note),
            addenda=list(note.addenda.all()),
            objectives=list(note.objectives.all()),
            scores=[_score_text(score) for score in (note.scores or [])],
        )
        for note in signed_notes(participant)
    ]
    return DesignatedRecord(
        participant=participant,
        diagnoses=list(Diagnosis.objects.filter(participant=participant)),
        problems=list(ProblemListEntry.objects.filter(participant=participant)),
        medications=list(Medication.objects.filter(participant=participant)),
        allergies=list(Allergy.objects.filter(participant=participant)),
        plans=effective_plans(participant),
        notes=notes,
    )


def render_record_pdf(
    record: DesignatedRecord,
    *,
    zone: str,
    prepared_for: User,
    now: datetime | None = None,
    release: Consent | None = None,
) -> bytes:
    """The record as a PDF. A record carrying Part 2 information (`part2_included`, set by the
    disclosure gate) carries the §2.32 notice; `release` adds a copy of the release it is sent
    under (42 CFR 2.32(b))."""
    context: dict[str, Any] = {
        "record": record,
        "participant": record.participant,
        "zone": zone,
        "prepared_for": prepared_for,
        "generated_at": now or timezone.now(),
        "release": release,
    }
    if record.part2_included:
        context |= {
            "part2_notice_title": part2.NOTICE_TITLE,
            "part2_notice": part2.NOTICE,
            "part2_short_notice": part2.SHORT_NOTICE,
        }
    return render_pdf(TEMPLATE, context)


def record_counts(record_or_participant: DesignatedRecord | Participant) -> dict[str, int]:
    """What a copy of the record holds, by kind: counts only, for the accounting of
    disclosures."""
    if isinstance(record_or_participant, Participant):
        participant = record_or_participant
        return {
            "notes": signed_notes(participant).count(),
            "plans": len(effective_plans(participant)),
            "diagnoses": Diagnosis.objects.filter(participant=participant).count(),
            "medications": Medication.objects.filter(participant=participant).count(),
            "allergies": Allergy.objects.filter(participant=participant).count(),
        }
    record = record_or_participant
    return {
        "notes": len(record.notes),
        "plans": len(record.plans),
        "diagnoses": len(record.diagnoses),
        "medications": len(record.medications),
        "allergies": len(record.allergies),
    }


def get_record_for_user(
    user: User, code: uuid.UUID | str, *, format: str = Disclosure.Format.PDF
) -> DesignatedRecord:
    """The gate: whoever may read the chart (the participant included: their right of
    access) gets its record, through the Part 2 gate for staff (`_exported`); others 404."""
    participant, _ = get_participant_for_user(user, code, read=False)
    return _exported(user, participant, format)


def get_record_for_staff(
    user: User, code: uuid.UUID | str, *, format: str = Disclosure.Format.FHIR
) -> DesignatedRecord:
    """The staff route: chart readers on staff accounts; participants take their own copy
    from their "Your record" page (404 here)."""
    if not user.is_staff_member:
        raise Http404
    return get_record_for_user(user, code, format=format)


def get_own_record(user: User, *, format: str) -> DesignatedRecord:
    """The signed-in participant's own record, from their "Your record" page; 404 for staff."""
    return _exported(user, own_chart(user), format)


def _exported(user: User, participant: Participant, format: str) -> DesignatedRecord:
    """Build the record and log that it left: one read event, and when the participant takes
    their own copy, a disclosure to the individual in their accounting (docs/consent.md).

    A staff member's export is a disclosure path (printed or saved, it can leave OpenIOP): it
    passes the Part 2 gate under the participant's Part 2 consent for treatment, payment and
    operations, if one is in force, and when Part 2 information goes out it is accounted for
    (consent.Disclosure). The participant's own copy is not filtered.
    """
    record = designated_record(participant)
    consent = None
    if user.is_staff_member:
        consent = consent_queries.in_force(participant, ConsentKind.PART2_TPO)
        record, _, _ = disclosure.for_disclosure(record, consent=consent)
    details: dict[str, Any] = {"format": format, "notes": len(record.notes)}
    if record.part2_withheld:
        details["withheld"] = record.part2_withheld
    if record.part2_included:
        details["part2"] = True
    with transaction.atomic():
        record_read(
            "notes.record_exported", acting_user=user, participant=participant, details=details
        )
        if participant.user_id is not None and participant.user_id == user.pk:
            record_own_download(
                participant, format=format, contents=record_counts(record), acting_user=user
            )
        if record.part2_included and consent is not None:
            record_disclosure(
                participant,
                basis=Disclosure.Basis.CONSENT,
                consent=consent,
                recipient_name=f"{user.display_name} (staff export)",
                purpose=Purpose.TREATMENT,
                format=format,
                contents=contents(record),
                included_part2=True,
                notice_attached=True,
                acting_user=user,
            )
    return record


def contents(record: DesignatedRecord) -> dict[str, int]:
    """What a disclosed copy holds, as counts (a Disclosure's `contents`)."""
    return {
        "notes": len(record.notes),
        "plans": len(record.plans),
        "diagnoses": len(record.diagnoses),
        "withheld": record.part2_withheld,
    }
