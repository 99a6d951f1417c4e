"""The participant's designated record (record.py) as one FHIR R4B Bundle of type "collection".

What it holds, one entry per row, each with a stable `id` and `fullUrl` (`urn:uuid:<code>`):
- Patient (the chart header);
- Condition per diagnosis (ICD-10-CM) and per problem-list entry;
- MedicationStatement per medication; AllergyIntolerance per allergy;
- CarePlan per plan version that took effect (problems, goals and objectives as text;
  goals as contained Goal resources; interventions as activities);
- DocumentReference per signed note: the note as plain text (with its addenda) in a base64
  `text/plain` attachment.

It is built from a `DesignatedRecord`, so it holds exactly what the PDF holds: no drafts, no
psychotherapy notes (this module never reads them), nothing of another participant.

Each builder returns a plain dict; `record_bundle` validates the whole Bundle once against the
fhir.resources R4B models (R4B keeps R4's shape for these resources). A caller that must tag
some resources (Part 2 records: CLINICAL.md §7 `meta.security`) passes `label`, called with each
model object (Participant, Diagnosis, ProblemListEntry, Medication, Allergy, TreatmentPlan,
Note); the labels it returns become that resource's `meta.security`.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from openiop.careplans.models import (
    Allergy,
    Diagnosis,
    Medication,
    ProblemListEntry,
    TreatmentPlan,
)
from openiop.lib.timefmt import format_date, format_datetime, format_range
from openiop.notes.record import DesignatedRecord, RecordNote
from openiop.participants.models import Participant

Resource = dict[str, Any]
Label = Callable[[Any], list[dict[str, Any]] | None]

ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RECORD_NUMBER_SYSTEM = "urn:ietf:rfc:3986"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
# LOINC 11506-3 "Progress note": the document type of every signed note.
PROGRESS_NOTE = {"system": LOINC, "code": "11506-3", "display": "Progress note"}
CAREPLAN_CATEGORY_TEXT = "Intensive outpatient treatment plan"

DIAGNOSIS_CLINICAL: dict[str, str] = {
    Diagnosis.Status.ACTIVE: "active",
    Diagnosis.Status.IN_REMISSION: "remission",
    Diagnosis.Status.RESOLVED: "resolved",
}
ALLERGY_SEVERITY: dict[str, str] = {
    Allergy.Severity.MILD: "mild",
    Allergy.Severity.MODERATE: "moderate",
    Allergy.Severity.SEVERE: "severe",
}
# A superseded version was ended before its actions were done: FHIR request-status "revoked";
# the newer version names it in `replaces`.
PLAN_STATUS: dict[str, str] = {
    TreatmentPlan.Status.ACTIVE: "active",
    TreatmentPlan.Status.SUPERSEDED: "revoked",
}


def urn(code: uuid.UUID | str) -> str:
    return f"urn:uuid:{code}"


def _ref(code: uuid.UUID | str, display: str | None = None) -> dict[str, str]:
    reference = {"reference": urn(code)}
    if display:
        reference["display"] = display
    return reference


def _concept(text: str, *codings: dict[str, str]) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": text}
    if codings:
        concept["coding"] = list(codings)
    return concept


def _instant(moment: datetime) -> str:
    return moment.isoformat()


def patient(participant: Participant) -> Resource:
    names: list[dict[str, Any]] = [
        {"use": "official", "family": participant.family_name, "given": [participant.given_name]}
    ]
    if participant.preferred_name:
        names.append({"use": "usual", "given": [participant.preferred_name]})
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(participant.code),
        "identifier": [
            {"system": RECORD_NUMBER_SYSTEM, "value": urn(participant.code), "use": "official"}
        ],
        "name": names,
        "birthDate": participant.date_of_birth.isoformat(),
        "address": [{"state": participant.home_state, "country": "US"}],
    }
    if participant.email:
        resource["telecom"] = [{"system": "email", "value": participant.email}]
    if participant.pronouns:
        resource["extension"] = [
            {
                "url": "http://hl7.org/fhir/StructureDefinition/individual-pronouns",
                "extension": [
                    {"url": "value", "valueCodeableConcept": {"text": participant.pronouns}}
                ],
            }
        ]
    return resource


def condition(diagnosis: Diagnosis, subject: str) -> Resource:
    resource: Resource = {
        "resourceType": "Condition",
        "id": str(diagnosis.code),
        "category": [
            _concept(
                "Encounter diagnosis",
                {
                    "system": CONDITION_CATEGORY,
                    "code": "encounter-diagnosis",
                    "display": "Encounter Diagnosis",
                },
            )
        ],
        "code": _concept(
            diagnosis.description,
            {"system": ICD10_CM, "code": diagnosis.icd10_code, "display": diagnosis.description},
        ),
        "subject": {"reference": subject},
        "note": [{"text": f"{diagnosis.get_rank_display()} diagnosis"}],
    }
    if diagnosis.status == Diagnosis.Status.RULED_OUT:
        resource["verificationStatus"] = _concept(
            "Ruled out", {"system": CONDITION_VERIFICATION, "code": "refuted"}
        )
    else:
        resource["verificationStatus"] = _concept(
            "Confirmed", {"system": CONDITION_VERIFICATION, "code": "confirmed"}
        )
        resource["clinicalStatus"] = _concept(
            diagnosis.get_status_display(),
            {"system": CONDITION_CLINICAL, "code": DIAGNOSIS_CLINICAL[diagnosis.status]},
        )
    if diagnosis.onset_on:
        resource["onsetDateTime"] = diagnosis.onset_on.isoformat()
    return resource


def problem(entry: ProblemListEntry, subject: str) -> Resource:
    active = entry.status == ProblemListEntry.Status.ACTIVE
    resource: Resource = {
        "resourceType": "Condition",
        "id": str(entry.code),
        "clinicalStatus": _concept(
            entry.get_status_display(),
            {"system": CONDITION_CLINICAL, "code": "active" if active else "resolved"},
        ),
        "category": [
            _concept(
                "Problem list item",
                {
                    "system": CONDITION_CATEGORY,
                    "code": "problem-list-item",
                    "display": "Problem List Item",
                },
            )
        ],
        "code": {"text": entry.description},
        "subject": {"reference": subject},
    }
    if entry.onset_on:
        resource["onsetDateTime"] = entry.onset_on.isoformat()
    return resource


def medication_statement(medication: Medication, subject: str) -> Resource:
    resource: Resource = {
        "resourceType": "MedicationStatement",
        "id": str(medication.code),
        "status": "completed" if medication.stopped_on else "active",
        "medicationCodeableConcept": {"text": medication.name},
        "subject": {"reference": subject},
        "dosage": [{"text": medication.dose}],
    }
    period = {
        key: day.isoformat()
        for key, day in (("start", medication.started_on), ("end", medication.stopped_on))
        if day
    }
    if period:
        resource["effectivePeriod"] = period
    if medication.prescriber:
        resource["note"] = [{"text": f"Prescriber: {medication.prescriber}"}]
    return resource


def allergy_intolerance(allergy: Allergy, subject: str) -> Resource:
    status = "active" if allergy.is_active else "inactive"
    resource: Resource = {
        "resourceType": "AllergyIntolerance",
        "id": str(allergy.code),
        "clinicalStatus": _concept(
            status.capitalize(), {"system": ALLERGY_CLINICAL, "code": status}
        ),
        "code": {"text": allergy.substance},
        "patient": {"reference": subject},
    }
    if allergy.reaction:
        reaction: dict[str, Any] = {"manifestation": [{"text": allergy.reaction}]}
        if allergy.severity in ALLERGY_SEVERITY:
            reaction["severity"] = ALLERGY_SEVERITY[allergy.severity]
        resource["reaction"] = [reaction]
    return resource


def _objective_text(objective: Any) -> str:
    text = f"Objective: {objective.text} (by {format_date(objective.target_date)}"
    if objective.measure and objective.measure_target is not None:
        sign = "≤" if objective.measure_comparator == "lte" else "≥"
        text += f"; {objective.measure.upper()} {sign} {objective.measure_target}"
    return f"{text}; {objective.get_status_display().lower()})"


def care_plan(
    plan: TreatmentPlan,
    subject: str,
    *,
    diagnoses: Iterable[uuid.UUID] = (),
    previous: TreatmentPlan | None = None,
) -> Resource:
    """One plan version. `diagnoses`: codes of the Conditions in the same Bundle, so a problem
    only `addresses` a Condition the receiver can resolve."""
    in_bundle = set(diagnoses)
    notes: list[str] = []
    contained: list[Resource] = []
    addresses: list[dict[str, str]] = []
    for number, plan_problem in enumerate(plan.problems.all(), start=1):
        notes.append(
            f"Problem {number}, in the participant's words: {plan_problem.in_own_words}\n"
            f"Clinical statement: {plan_problem.clinical_statement}"
            + (
                f"\nAssessment findings: {plan_problem.assessment_findings}"
                if plan_problem.assessment_findings
                else ""
            )
        )
        for diagnosis in plan_problem.diagnoses.all():
            if diagnosis.code in in_bundle and _ref(diagnosis.code) not in addresses:
                addresses.append(_ref(diagnosis.code))
        for goal in plan_problem.goals.all():
            objectives = list(goal.objectives.all())
            contained_goal: Resource = {
                "resourceType": "Goal",
                "id": f"goal-{goal.code}",
                "lifecycleStatus": "active"
                if plan.status == TreatmentPlan.Status.ACTIVE
                else "cancelled",
                "description": {"text": goal.text},
                "subject": {"reference": subject},
            }
            if objectives:
                contained_goal["target"] = [
                    {"dueDate": objective.target_date.isoformat()} for objective in objectives
                ]
                contained_goal["note"] = [
                    {"text": _objective_text(objective)} for objective in objectives
                ]
            contained.append(contained_goal)
    for label, text in (
        ("Strengths", plan.strengths),
        ("Preferences", plan.preferences),
        ("Barriers", plan.barriers),
        ("Technology barriers", plan.technology_barriers),
        ("Discharge criteria", plan.discharge_criteria),
    ):
        if text:
            notes.append(f"{label}: {text}")
    for signature in plan.signatures.all():
        notes.append(
            f"Signed ({signature.get_role_display()}) by {signature.typed_name}, "
            f"{signature.signed_at.isoformat()}"
        )
    detail_status = "in-progress" if plan.status == TreatmentPlan.Status.ACTIVE else "stopped"
    activities = []
    for intervention in plan.interventions.all():
        description = (
            f"{intervention.get_modality_display()}, {intervention.get_frequency_display()}, "
            f"{intervention.duration_minutes} min"
        )
        if intervention.description:
            description += f": {intervention.description}"
        detail: dict[str, Any] = {"status": detail_status, "description": description}
        if intervention.responsible_person:
            detail["performer"] = [{"display": intervention.responsible_person.display_name}]
        activities.append({"detail": detail})

    resource: Resource = {
        "resourceType": "CarePlan",
        "id": str(plan.code),
        "status": PLAN_STATUS.get(plan.status, "unknown"),
        "intent": "plan",
        "category": [{"text": CAREPLAN_CATEGORY_TEXT}],
        "title": f"Treatment plan, version {plan.number}",
        "description": plan.get_reason_display(),
        "subject": {"reference": subject},
        "created": _instant(plan.created_at),
    }
    if contained:
        resource["contained"] = contained
        resource["goal"] = [{"reference": f"#{goal['id']}"} for goal in contained]
    if plan.effective_at:
        resource["period"] = {"start": _instant(plan.effective_at)}
    if plan.created_by:
        resource["author"] = {"display": plan.created_by.display_name}
    if previous is not None:
        resource["replaces"] = [_ref(previous.code)]
    if addresses:
        resource["addresses"] = addresses
    if activities:
        resource["activity"] = activities
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


def note_text(entry: RecordNote, zone: str) -> str:
    """A signed note as plain text, as the PDF lays it out: header, sections, signature,
    addenda."""
    note = entry.note
    heading = note.get_kind_display()
    if note.session and note.session.group:
        heading += f": {note.session.group.name}"
    if note.started_at:
        heading += ", " + (
            format_range(note.started_at, note.ended_at, zone, "datetime")
            if note.ended_at
            else format_datetime(note.started_at, zone)
        )
    lines = [heading, "", f"{note.get_form_display()} note by {note.author.display_name}"]
    meta = [note.get_telehealth_mode_display()]
    if note.participant_location:
        meta.append(f"participant's location: {note.participant_location}")
    if note.risk_status:
        meta.append(f"risk: {note.get_risk_status_display()}")
    lines.append(" · ".join(meta))
    if entry.objectives:
        lines += ["", "Objectives addressed:"] + [f"- {o.text}" for o in entry.objectives]
    if entry.scores:
        lines += ["", "Scores: " + "; ".join(entry.scores)]
    for section, text in entry.sections:
        lines += ["", f"{section}:", text]
    assert note.signed_at is not None
    signer = note.signed_by.display_name if note.signed_by else note.author.display_name
    lines += ["", f"Signed by {signer}, {format_datetime(note.signed_at, zone)}."]
    if note.content_hash:
        lines.append(f"Content SHA-256 {note.content_hash}")
    if note.cosigned_at and note.cosigned_by:
        lines.append(
            f"Co-signed by {note.cosigned_by.display_name}, "
            f"{format_datetime(note.cosigned_at, zone)}."
        )
    elif note.cosign_required:
        lines.append("Awaiting co-signature.")
    for addendum in entry.addenda:
        lines += [
            "",
            f"Addendum by {addendum.author.display_name}, "
            f"{format_datetime(addendum.created_at, zone)}. Reason: {addendum.reason}",
            addendum.text,
        ]
    return "\n".join(lines) + "\n"


def document_reference(entry: RecordNote, subject: str, *, zone: str) -> Resource:
    note = entry.note
    assert note.signed_at is not None
    text = note_text(entry, zone)
    attachment: dict[str, Any] = {
        "contentType": "text/plain; charset=utf-8",
        "language": "en",
        "data": base64.b64encode(text.encode()).decode("ascii"),
        "title": f"{note.get_kind_display()} note",
    }
    if note.started_at:
        attachment["creation"] = _instant(note.started_at)
    resource: Resource = {
        "resourceType": "DocumentReference",
        "id": str(note.code),
        "status": "current",
        # An addendum amends a signed note without changing it.
        "docStatus": "amended" if entry.addenda else "final",
        "type": _concept(f"{note.get_kind_display()} note", PROGRESS_NOTE),
        "subject": {"reference": subject},
        "date": _instant(note.signed_at),
        "author": [{"display": note.author.display_name}],
        "description": f"{note.get_form_display()} note, {note.get_kind_display().lower()}",
        "content": [{"attachment": attachment}],
    }
    if note.signed_by:
        resource["authenticator"] = {"display": note.signed_by.display_name}
    if note.started_at:
        period = {"start": _instant(note.started_at)}
        if note.ended_at:
            period["end"] = _instant(note.ended_at)
        resource["context"] = {"period": period}
    return resource


def record_bundle(
    record: DesignatedRecord,
    *,
    now: datetime | None = None,
    zone: str | None = None,
    label: Label | None = None,
) -> Resource:
    """The record as a validated FHIR R4B Bundle (type "collection"), Patient first.

    `zone`: the zone the note texts show times in (default the chart's). `label(obj)`: see the
    module docstring.
    """
    now = now or timezone.now()
    participant = record.participant
    zone = zone or str(participant.timezone)
    subject = urn(participant.code)
    entries: list[tuple[Any, Resource]] = [(participant, patient(participant))]
    entries += [(d, condition(d, subject)) for d in record.diagnoses]
    entries += [(p, problem(p, subject)) for p in record.problems]
    entries += [(m, medication_statement(m, subject)) for m in record.medications]
    entries += [(a, allergy_intolerance(a, subject)) for a in record.allergies]
    diagnosis_codes = [d.code for d in record.diagnoses]
    by_pk: dict[int | None, TreatmentPlan] = {plan.pk: plan for plan in record.plans}
    entries += [
        (
            plan,
            care_plan(
                plan,
                subject,
                diagnoses=diagnosis_codes,
                previous=by_pk.get(plan.previous_id),
            ),
        )
        for plan in record.plans
    ]
    entries += [
        (entry.note, document_reference(entry, subject, zone=zone)) for entry in record.notes
    ]
    for obj, resource in entries:
        labels = label(obj) if label else None
        if labels:
            resource.setdefault("meta", {})["security"] = labels
    bundle: Resource = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": _instant(now)},
        "identifier": {"system": RECORD_NUMBER_SYSTEM, "value": urn(uuid.uuid4())},
        "type": "collection",
        "timestamp": _instant(now),
        "entry": [
            {"fullUrl": urn(resource["id"]), "resource": resource} for _, resource in entries
        ],
    }
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class("Bundle").model_validate(bundle)
    return bundle


def resource_ids(bundle: Resource, resource_type: str | None = None) -> list[str]:
    """The ids of the Bundle's resources (of one type, if given), in order."""
    return [
        entry["resource"]["id"]
        for entry in bundle["entry"]
        if resource_type is None or entry["resource"]["resourceType"] == resource_type
    ]
