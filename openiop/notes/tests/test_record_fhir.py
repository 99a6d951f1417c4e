"""The designated record as a FHIR R4B Bundle: what the PDF holds, nothing more."""

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B import get_fhir_model_class

from openiop.careplans.models import TreatmentPlan
from openiop.notes.models import Note
from openiop.notes.psychotherapy.actions import write_note
from openiop.notes.record import designated_record
from openiop.notes.record_fhir import ICD10_CM, record_bundle, resource_ids
from openiop.notes.tests.helpers import addendum, group_session, signed_note, summary_and_plans
from openiop.testing import BaseTestCase

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
PSYCHOTHERAPY = "Psychotherapy note: never in the record."


def note_text(resource: dict) -> str:
    return base64.b64decode(resource["content"][0]["attachment"]["data"]).decode()


class RecordBundleTest(BaseTestCase):
    plan_v1: ClassVar[TreatmentPlan]
    plan_v2: ClassVar[TreatmentPlan]
    first: ClassVar[Note]
    second: ClassVar[Note]
    group: ClassVar[Note]
    draft: ClassVar[Note]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan_v1, cls.plan_v2 = summary_and_plans(cls, cls.pat)
        cls.first = signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY,
            sections={"subjective": "First note: slept four hours.", "plan": "Sleep diary."},
        )
        cls.second = signed_note(
            cls.pat,
            cls.alvarez,
            started_at=MONDAY + timedelta(days=7),
            sections={"subjective": "Second note: slept six hours."},
        )
        addendum(cls.first, cls.alvarez, "Addendum to the first note: PHQ-9 was 12.")
        session = group_session(cls, participants=[cls.pat, cls.quinn], start=MONDAY)
        notes = {}
        for participant, own in (
            (cls.pat, "Pat practised TIPP."),
            (cls.quinn, "Quinn left early."),
        ):
            notes[participant.pk] = signed_note(
                participant,
                cls.alvarez,
                started_at=MONDAY + timedelta(days=3),
                kind=Note.Kind.GROUP,
                session=session,
                shared_text="Group: distress tolerance, TIPP skills.",
                individual_text=own,
            )
        cls.group = notes[cls.pat.pk]
        cls.draft = Note.objects.create(
            participant=cls.pat,
            author=cls.alvarez,
            kind=Note.Kind.INDIVIDUAL,
            started_at=MONDAY + timedelta(days=14),
            sections={"subjective": "Draft note, not yet signed."},
        )
        signed_note(
            cls.quinn, cls.chen, started_at=MONDAY, sections={"subjective": "Quinn's own note."}
        )
        write_note(cls.pat, text=PSYCHOTHERAPY, acting_user=cls.alvarez)

    def bundle(self, participant=None, **kwargs) -> dict:
        return record_bundle(designated_record(participant or self.pat), now=NOW, **kwargs)

    def test_it_is_a_valid_r4b_collection_with_the_patient_first(self):
        bundle = self.bundle()
        get_fhir_model_class("Bundle").model_validate(json.loads(json.dumps(bundle)))
        self.assertEqual(bundle["type"], "collection")
        self.assertEqual(bundle["timestamp"], NOW.isoformat())
        first = bundle["entry"][0]["resource"]
        self.assertEqual(first["resourceType"], "Patient")
        self.assertEqual(first["id"], str(self.pat.code))
        self.assertEqual(first["name"][0]["family"], "Lindqvist")
        for entry in bundle["entry"]:
            self.assertEqual(entry["fullUrl"], f"urn:uuid:{entry['resource']['id']}")
            if entry["resource"]["resourceType"] != "Patient":
                subject = entry["resource"].get("subject") or entry["resource"].get("patient")
                self.assertEqual(subject, {"reference": f"urn:uuid:{self.pat.code}"})

    def test_ids_are_the_rows_codes_and_stay_the_same_between_exports(self):
        self.assertEqual(resource_ids(self.bundle()), resource_ids(self.bundle()))
        self.assertEqual(
            resource_ids(self.bundle(), "CarePlan"),
            [str(self.plan_v2.code), str(self.plan_v1.code)],
        )

    def test_it_holds_every_signed_note_and_no_draft(self):
        bundle = self.bundle()
        self.assertEqual(
            resource_ids(bundle, "DocumentReference"),
            [str(self.first.code), str(self.group.code), str(self.second.code)],
        )
        self.assertNotIn(str(self.draft.code), json.dumps(bundle))
        self.assertNotIn("Draft note, not yet signed.", json.dumps(bundle))

    def test_a_note_is_its_text_with_its_addenda(self):
        bundle = self.bundle()
        first = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["id"] == str(self.first.code)
        )
        self.assertEqual(first["docStatus"], "amended")
        self.assertEqual(first["type"]["coding"][0]["code"], "11506-3")
        self.assertEqual(first["author"], [{"display": "Rosa Alvarez, PsyD"}])
        assert self.first.signed_at is not None
        self.assertEqual(first["date"], self.first.signed_at.isoformat())
        attachment = first["content"][0]["attachment"]
        self.assertEqual(attachment["contentType"], "text/plain; charset=utf-8")
        text = note_text(first)
        for expected in (
            "First note: slept four hours.",
            "Sleep diary.",
            "Signed by Rosa Alvarez, PsyD",
            "Addendum to the first note: PHQ-9 was 12.",
            "PHQ-9: 12 (Moderate)",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, text)
        second = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["id"] == str(self.second.code)
        )
        self.assertEqual(second["docStatus"], "final")

    def test_it_never_holds_a_psychotherapy_note_nor_reads_one(self):
        with CaptureQueriesContext(connection) as queries:
            bundle = self.bundle()
        self.assertFalse(
            [q["sql"] for q in queries.captured_queries if "psychotherapynote" in q["sql"]]
        )
        texts = json.dumps(bundle) + "".join(
            note_text(e["resource"])
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "DocumentReference"
        )
        self.assertNotIn(PSYCHOTHERAPY, texts)
        self.assertNotIn("Psychotherapy note", texts)

    def test_it_holds_nothing_of_another_participant(self):
        bundle = self.bundle()
        texts = json.dumps(bundle) + "".join(
            note_text(e["resource"])
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "DocumentReference"
        )
        self.assertIn("Group: distress tolerance, TIPP skills.", texts)
        self.assertIn("Pat practised TIPP.", texts)
        for text in ("Quinn", "Marlowe", str(self.quinn.code)):
            with self.subTest(text=text):
                self.assertNotIn(text, texts)

    def test_the_summary_is_coded(self):
        bundle = self.bundle()
        by_type: dict[str, list[dict]] = {}
        for entry in bundle["entry"]:
            by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
        (condition,) = by_type["Condition"]
        self.assertEqual(
            condition["code"]["coding"][0],
            {
                "system": ICD10_CM,
                "code": "F33.1",
                "display": "Major depressive disorder, recurrent, moderate",
            },
        )
        self.assertEqual(condition["clinicalStatus"]["coding"][0]["code"], "active")
        (medication,) = by_type["MedicationStatement"]
        self.assertEqual(medication["medicationCodeableConcept"]["text"], "Sertraline")
        self.assertEqual(medication["dosage"], [{"text": "100 mg by mouth daily"}])
        (allergy,) = by_type["AllergyIntolerance"]
        self.assertEqual(allergy["code"]["text"], "Penicillin")
        self.assertEqual(allergy["reaction"][0]["severity"], "moderate")
        current, earlier = by_type["CarePlan"]
        self.assertEqual(current["status"], "active")
        self.assertEqual(earlier["status"], "revoked")
        self.assertEqual(current["replaces"], [{"reference": f"urn:uuid:{self.plan_v1.code}"}])
        self.assertEqual(current["addresses"], [{"reference": f"urn:uuid:{condition['id']}"}])
        self.assertEqual(
            current["contained"][0]["description"]["text"], "Return to work part-time."
        )
        self.assertIn("Plan v2 objective: PHQ-9 at most 9.", json.dumps(current))

    def test_a_label_callback_tags_only_the_resources_it_names(self):
        security = [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ETH"}]
        bundle = self.bundle(label=lambda obj: security if obj == self.second else None)
        labelled = [
            e["resource"]["id"]
            for e in bundle["entry"]
            if "security" in e["resource"].get("meta", {})
        ]
        self.assertEqual(labelled, [str(self.second.code)])
        get_fhir_model_class("Bundle").model_validate(bundle)

    def test_quinns_bundle_holds_her_part_of_the_group_note_only(self):
        bundle = self.bundle(self.quinn)
        texts = "".join(
            note_text(e["resource"])
            for e in bundle["entry"]
            if e["resource"]["resourceType"] == "DocumentReference"
        )
        self.assertIn("Quinn left early.", texts)
        self.assertIn("Quinn's own note.", texts)
        self.assertNotIn("Pat practised TIPP.", texts)
        self.assertNotIn("Lindqvist", json.dumps(bundle))
