"""The chart's clinical summary: every change versioned and audited, nothing deleted."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.careplans import actions
from openiop.careplans.models import (
    Allergy,
    Diagnosis,
    Medication,
    ProblemListEntry,
    SummaryRevision,
)
from openiop.testing import BaseTestCase

SCRIPT = '<script>alert("x")</script><b onmouseover="x()">bold</b>'


def diagnosis_fields(**fields):
    return {
        "icd10_code": "F33.1",
        "description": "",
        "rank": Diagnosis.Rank.PRIMARY,
        "onset_on": None,
        "status": Diagnosis.Status.ACTIVE,
        **fields,
    }


def events(event_type):
    return AuditEvent.objects.filter(event_type=event_type).order_by("seq")


class SummaryActionsTestCase(BaseTestCase):
    def add_diagnosis(self, **fields):
        return actions.add_diagnosis(
            self.pat, fields=diagnosis_fields(**fields), acting_user=self.alvarez
        )

    def test_adding_a_diagnosis_takes_the_codes_title_and_starts_its_history(self):
        diagnosis = self.add_diagnosis(icd10_code="f331")
        self.assertEqual(diagnosis.icd10_code, "F33.1")
        self.assertEqual(diagnosis.description, "Major depressive disorder, recurrent, moderate")
        self.assertEqual(diagnosis.version, 1)
        self.assertEqual(diagnosis.source, Diagnosis.Source.CLINICIAN)
        revision = SummaryRevision.objects.get(item_code=diagnosis.code)
        self.assertEqual(revision.version, 1)
        self.assertEqual(revision.kind, "diagnosis")
        self.assertEqual(revision.changed_by, self.alvarez)
        self.assertEqual(revision.data["icd10_code"], "F33.1")
        event = events("careplans.diagnosis_added").get()
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.target_id, str(diagnosis.code))
        self.assertEqual(event.details["item"], str(diagnosis.code))
        self.assertEqual(event.details["kind"], "diagnosis")
        self.assertEqual(event.details["version"], 1)
        self.assertIn("icd10_code", event.details["fields"])

    def test_a_change_bumps_the_version_and_audits_field_names_only(self):
        diagnosis = self.add_diagnosis()
        changed = actions.change_diagnosis(
            diagnosis,
            fields={"description": "Recurrent depression, moderate", "onset_on": date(2025, 1, 5)},
            expected_version=1,
            acting_user=self.alvarez,
        )
        self.assertEqual(changed.version, 2)
        revisions = SummaryRevision.objects.filter(item_code=diagnosis.code).order_by("version")
        self.assertEqual([r.version for r in revisions], [1, 2])
        self.assertEqual(revisions[1].data["onset_on"], "2025-01-05")
        event = events("careplans.diagnosis_changed").get()
        self.assertEqual(event.details["fields"], ["description", "onset_on"])
        self.assertEqual(event.details["version"], 2)
        self.assertNotIn("Recurrent depression", str(event.details))

    def test_an_unchanged_save_records_nothing(self):
        diagnosis = self.add_diagnosis()
        same = actions.change_diagnosis(
            diagnosis, fields={"rank": "primary"}, expected_version=1, acting_user=self.alvarez
        )
        self.assertEqual(same.version, 1)
        self.assertFalse(events("careplans.diagnosis_changed").exists())
        self.assertEqual(SummaryRevision.objects.count(), 1)

    def test_removing_a_diagnosis_changes_its_status_and_keeps_it(self):
        diagnosis = self.add_diagnosis()
        with self.assertRaises(ValidationError):
            actions.remove_diagnosis(
                diagnosis, status="active", expected_version=1, acting_user=self.alvarez
            )
        actions.remove_diagnosis(
            diagnosis, status="ruled_out", expected_version=1, acting_user=self.alvarez
        )
        diagnosis.refresh_from_db()
        self.assertEqual(diagnosis.status, Diagnosis.Status.RULED_OUT)
        self.assertEqual(diagnosis.version, 2)
        event = events("careplans.diagnosis_removed").get()
        self.assertEqual(event.details["fields"], ["status"])
        # Off the current list, the same code may be diagnosed again.
        again = self.add_diagnosis()
        self.assertNotEqual(again.pk, diagnosis.pk)

    def test_making_a_diagnosis_primary_demotes_the_current_primary(self):
        first = self.add_diagnosis(icd10_code="F33.1")
        second = self.add_diagnosis(icd10_code="F41.1", rank="secondary")
        actions.change_diagnosis(
            second, fields={"rank": "primary"}, expected_version=1, acting_user=self.alvarez
        )
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual((first.rank, first.version), ("secondary", 2))
        self.assertEqual((second.rank, second.version), ("primary", 2))
        self.assertEqual(
            SummaryRevision.objects.filter(item_code=first.code, version=2).get().data["rank"],
            "secondary",
        )
        self.assertEqual(
            [e.details["item"] for e in events("careplans.diagnosis_changed")],
            [str(first.code), str(second.code)],
        )
        # Adding a new primary demotes as well: one current primary at most.
        third = self.add_diagnosis(icd10_code="F43.10")
        self.assertEqual(
            list(Diagnosis.objects.filter(rank="primary").values_list("pk", flat=True)),
            [third.pk],
        )

    def test_a_resolved_primary_does_not_count(self):
        first = self.add_diagnosis(icd10_code="F33.1")
        actions.remove_diagnosis(
            first, status="resolved", expected_version=1, acting_user=self.alvarez
        )
        second = self.add_diagnosis(icd10_code="F41.1")
        first.refresh_from_db()
        self.assertEqual((first.rank, first.version), ("primary", 2))
        self.assertEqual(second.rank, "primary")

    def test_a_stale_change_is_refused_and_nothing_is_saved(self):
        diagnosis = self.add_diagnosis()
        actions.change_diagnosis(
            diagnosis,
            fields={"onset_on": date(2025, 1, 1)},
            expected_version=1,
            acting_user=self.dana,
        )
        with self.assertRaises(actions.StaleSummaryEdit) as caught:
            actions.change_diagnosis(
                diagnosis,
                fields={"description": "Mine"},
                expected_version=1,
                acting_user=self.alvarez,
            )
        self.assertEqual(caught.exception.current.version, 2)
        diagnosis.refresh_from_db()
        self.assertNotEqual(diagnosis.description, "Mine")
        self.assertEqual(SummaryRevision.objects.count(), 2)

    def test_one_current_diagnosis_per_code(self):
        self.add_diagnosis()
        with self.assertRaises(ValidationError) as caught:
            self.add_diagnosis(rank="secondary")
        self.assertIn("already a current diagnosis", str(caught.exception))

    def test_an_invalid_code_is_refused(self):
        for code in ("U07.1", "F3", "33.1", "F33.12345", "<b>"):
            with self.subTest(code=code), self.assertRaises(ValidationError):
                self.add_diagnosis(icd10_code=code)
        self.assertFalse(Diagnosis.objects.exists())

    def test_problems_are_resolved_not_deleted(self):
        problem = actions.add_problem(
            self.pat, fields={"description": "Sleep", "onset_on": None}, acting_user=self.alvarez
        )
        actions.change_problem(
            problem,
            fields={"description": "Sleeps four hours a night"},
            expected_version=1,
            acting_user=self.alvarez,
        )
        actions.remove_problem(problem, expected_version=2, acting_user=self.alvarez)
        problem.refresh_from_db()
        self.assertEqual((problem.status, problem.version), ("resolved", 3))
        self.assertEqual(
            [e.event_type for e in AuditEvent.objects.filter(target_id=str(problem.code))],
            ["careplans.problem_added", "careplans.problem_changed", "careplans.problem_removed"],
        )

    def test_a_medication_stops_on_a_date_after_it_started(self):
        medication = actions.add_medication(
            self.pat,
            fields={
                "name": "Sertraline",
                "dose": "50 mg by mouth daily",
                "prescriber": "Dr. Wei Chen",
                "started_on": date(2026, 1, 10),
                "stopped_on": None,
            },
            acting_user=self.chen,
        )
        with self.assertRaises(ValidationError) as caught:
            actions.remove_medication(
                medication,
                stopped_on=date(2026, 1, 9),
                expected_version=1,
                acting_user=self.alvarez,
            )
        self.assertIn("before the start date", str(caught.exception))
        actions.remove_medication(
            medication, stopped_on=date(2026, 2, 1), expected_version=1, acting_user=self.alvarez
        )
        medication.refresh_from_db()
        self.assertEqual(medication.stopped_on, date(2026, 2, 1))
        self.assertFalse(medication.is_current)
        event = events("careplans.medication_removed").get()
        self.assertEqual(event.details["fields"], ["stopped_on"])
        with self.assertRaises(ValidationError):
            actions.add_medication(
                self.pat,
                fields={
                    "name": "Lithium",
                    "dose": "300 mg",
                    "started_on": date(2026, 3, 1),
                    "stopped_on": date(2026, 2, 1),
                },
                acting_user=self.alvarez,
            )

    def test_an_allergy_becomes_inactive(self):
        allergy = actions.add_allergy(
            self.pat,
            fields={"substance": "Penicillin", "reaction": "Hives", "severity": "moderate"},
            acting_user=self.alvarez,
        )
        actions.remove_allergy(allergy, expected_version=1, acting_user=self.alvarez)
        allergy.refresh_from_db()
        self.assertFalse(allergy.is_active)
        self.assertEqual(events("careplans.allergy_removed").get().details["fields"], ["is_active"])
        actions.change_allergy(
            allergy, fields={"is_active": True}, expected_version=2, acting_user=self.alvarez
        )
        self.assertEqual(events("careplans.allergy_changed").count(), 1)


class SummaryPageTestCase(BaseTestCase):
    def url(self, participant=None):
        return reverse("careplans:summary", args=[(participant or self.pat).code])

    def add_url(self, kind, participant=None):
        return reverse("careplans:summary_add", args=[(participant or self.pat).code, kind])

    def item_url(self, name, kind, row):
        return reverse(f"careplans:summary_{name}", args=[self.pat.code, kind, row.code])

    def diagnosis(self, **fields):
        return actions.add_diagnosis(
            self.pat, fields=diagnosis_fields(**fields), acting_user=self.alvarez
        )

    def reads(self):
        return list(
            AuditEvent.objects.filter(event_type__in=READ_EVENTS).values_list(
                "event_type", flat=True
            )
        )

    def test_a_writer_sees_every_part_and_the_forms(self):
        self.diagnosis()
        actions.add_medication(
            self.pat,
            fields={"name": "Sertraline", "dose": "50 mg daily", "started_on": date(2026, 1, 2)},
            acting_user=self.alvarez,
        )
        self.login(self.alvarez)
        response = self.client.get(self.url())
        self.assertContains(response, "F33.1")
        self.assertContains(response, "Major depressive disorder, recurrent, moderate")
        self.assertContains(response, "<strong>Primary</strong>", html=True)
        self.assertContains(response, "Sertraline")
        self.assertContains(response, "Add a diagnosis")
        self.assertContains(response, "Add an allergy")
        self.assertContains(response, 'Change<span class="visually-hidden"> F33.1</span>')

    def test_a_reader_sees_the_summary_without_forms(self):
        self.diagnosis()
        self.login(self.sam)
        response = self.client.get(self.url())
        self.assertContains(response, "F33.1")
        self.assertNotContains(response, '<form method="post" action="/record/')
        self.assertNotContains(response, "Add a diagnosis")
        self.assertContains(response, "History<span")

    def test_the_gate_answers_outsiders_readers_and_wrong_methods(self):
        diagnosis = self.diagnosis()
        self.login(self.chen)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        self.assertEqual(
            self.client.get(self.item_url("history", "diagnosis", diagnosis)).status_code, 404
        )
        self.login(self.sam)
        self.assertEqual(self.client.post(self.add_url("problem"), {}).status_code, 403)
        self.assertEqual(
            self.client.get(self.item_url("edit", "diagnosis", diagnosis)).status_code, 403
        )
        self.assertEqual(self.client.post(self.url()).status_code, 405)
        self.assertEqual(self.client.get(self.add_url("problem")).status_code, 405)
        self.assertEqual(
            self.client.get(self.item_url("remove", "diagnosis", diagnosis)).status_code, 405
        )
        self.login(self.alvarez)
        # An item is reached only through its own chart, and only by a kind that exists.
        wrong_chart = reverse(
            "careplans:summary_history", args=[self.quinn.code, "diagnosis", diagnosis.code]
        )
        self.assertEqual(self.client.get(wrong_chart).status_code, 404)
        self.assertEqual(
            self.client.get(self.item_url("history", "problem", diagnosis)).status_code, 404
        )
        self.assertEqual(self.client.post(self.add_url("vitals"), {}).status_code, 404)

    def test_each_page_view_records_one_read_and_saves_none(self):
        diagnosis = self.diagnosis()
        self.login(self.alvarez)
        before = len(self.reads())
        self.client.get(self.url())
        self.assertEqual(self.reads()[before:], ["careplans.summary_viewed"])
        self.client.get(self.item_url("history", "diagnosis", diagnosis))
        self.assertEqual(self.reads()[before + 1 :], ["careplans.summary_history_viewed"])
        self.client.get(self.item_url("edit", "diagnosis", diagnosis))
        self.assertEqual(self.reads()[before + 2 :], ["careplans.summary_viewed"])
        response = self.client.post(
            self.add_url("problem"), {"problem-description": "Isolating at home"}
        )
        self.assertEqual(response.status_code, 302)
        response = self.client.post(
            self.item_url("edit", "diagnosis", diagnosis),
            {
                "edit-icd10_code": "F33.1",
                "edit-description": "x",
                "edit-rank": "primary",
                "edit-status": "active",
                "edit-version": "1",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(self.reads()), before + 3)

    def test_adding_through_the_page(self):
        self.login(self.alvarez)
        response = self.client.post(
            self.add_url("diagnosis"),
            {
                "diagnosis-icd10_code": "f41.1",
                "diagnosis-description": "",
                "diagnosis-rank": "primary",
                "diagnosis-onset_on": "2025-11-01",
                "diagnosis-status": "active",
            },
        )
        self.assertRedirects(response, self.url() + "#diagnoses", fetch_redirect_response=False)
        diagnosis = Diagnosis.objects.get(participant=self.pat)
        self.assertEqual(diagnosis.description, "Generalized anxiety disorder")
        self.assertEqual(diagnosis.onset_on, date(2025, 11, 1))
        self.client.post(
            self.add_url("medication"),
            {
                "medication-name": "Sertraline",
                "medication-dose": "50 mg by mouth daily",
                "medication-prescriber": "Dr. Wei Chen",
                "medication-started_on": "2026-01-02",
            },
        )
        self.client.post(
            self.add_url("allergy"),
            {"allergy-substance": "Penicillin", "allergy-severity": "severe"},
        )
        self.assertEqual(Medication.objects.get().name, "Sertraline")
        self.assertEqual(Allergy.objects.get().severity, "severe")

    def test_an_unknown_code_needs_its_title_typed(self):
        self.login(self.alvarez)
        data = {
            "diagnosis-icd10_code": "F50.82",
            "diagnosis-rank": "secondary",
            "diagnosis-status": "active",
        }
        response = self.client.post(self.add_url("diagnosis"), data)
        self.assertContains(response, "not in OpenIOP&#x27;s list of titles", status_code=400)
        self.assertContains(response, 'value="F50.82"', status_code=400)
        data["diagnosis-description"] = "Avoidant/restrictive food intake disorder"
        self.client.post(self.add_url("diagnosis"), data)
        self.assertEqual(Diagnosis.objects.get().description, data["diagnosis-description"])

    def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(self):
        self.login(self.alvarez)
        response = self.client.post(
            self.add_url("diagnosis"),
            {
                "diagnosis-icd10_code": "X99 9",
                "diagnosis-description": "Kept text",
                "diagnosis-rank": "primary",
                "diagnosis-status": "active",
            },
        )
        self.assertContains(response, "This is not an ICD-10-CM code", status_code=400)
        self.assertContains(response, 'value="Kept text"', status_code=400)
        self.assertContains(response, '<details class="summary-add" open>', status_code=400)
        response = self.client.post(
            self.add_url("medication"),
            {
                "medication-name": "Quetiapine",
                "medication-dose": "25 mg at night",
                "medication-started_on": "2026-02-10",
                "medication-stopped_on": "2026-02-01",
            },
        )
        self.assertContains(response, "The stop date is before the start date.", status_code=400)
        self.assertContains(response, 'value="Quetiapine"', status_code=400)
        long_text = "a" * 2048
        response = self.client.post(self.add_url("problem"), {"problem-description": long_text})
        self.assertContains(
            response, "Keep this to 255 characters or fewer (it has 2048).", status_code=400
        )
        huge = "b" * 100_000
        response = self.client.post(self.add_url("allergy"), {"allergy-substance": huge})
        self.assertContains(response, "Keep this to 150 characters or fewer", status_code=400)
        self.assertFalse(Medication.objects.exists())
        self.assertFalse(ProblemListEntry.objects.exists())
        self.assertFalse(Allergy.objects.exists())
        response = self.client.post(
            self.add_url("problem"),
            {"problem-description": "Started", "problem-onset_on": "2099-01-01"},
        )
        self.assertContains(response, "This date is in the future.", status_code=400)

    def test_html_and_script_are_inert_everywhere(self):
        self.login(self.alvarez)
        diagnosis = self.diagnosis(description=SCRIPT)
        actions.add_problem(self.pat, fields={"description": SCRIPT}, acting_user=self.alvarez)
        actions.add_medication(
            self.pat,
            fields={"name": SCRIPT, "dose": SCRIPT, "prescriber": SCRIPT},
            acting_user=self.alvarez,
        )
        actions.add_allergy(
            self.pat, fields={"substance": SCRIPT, "reaction": SCRIPT}, acting_user=self.alvarez
        )
        pages = [
            self.url(),
            self.item_url("edit", "diagnosis", diagnosis),
            self.item_url("history", "diagnosis", diagnosis),
        ]
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertNotContains(response, "<script>alert")
                self.assertNotContains(response, "<b onmouseover")
                self.assertContains(response, "&lt;script&gt;")

    def test_a_stale_edit_keeps_the_text_and_shows_the_saved_version(self):
        diagnosis = self.diagnosis()
        self.login(self.alvarez)
        form = self.client.get(self.item_url("edit", "diagnosis", diagnosis))
        self.assertContains(form, 'name="edit-version" value="1"')
        actions.change_diagnosis(
            diagnosis,
            fields={"onset_on": date(2025, 12, 1)},
            expected_version=1,
            acting_user=self.dana,
        )
        typed = {
            "edit-icd10_code": "F33.1",
            "edit-description": "My careful wording of the diagnosis",
            "edit-rank": "primary",
            "edit-status": "active",
            "edit-version": "1",
        }
        response = self.client.post(self.item_url("edit", "diagnosis", diagnosis), typed)
        self.assertContains(response, "Someone else saved a change", status_code=409)
        self.assertContains(response, "My careful wording of the diagnosis", status_code=409)
        self.assertContains(response, 'name="edit-version" value="2"', status_code=409)
        self.assertContains(response, "Dana Director", status_code=409)
        diagnosis.refresh_from_db()
        self.assertEqual(diagnosis.description, "Major depressive disorder, recurrent, moderate")
        # Saving again, now based on the saved version, is a deliberate overwrite.
        typed["edit-version"] = "2"
        response = self.client.post(self.item_url("edit", "diagnosis", diagnosis), typed)
        self.assertEqual(response.status_code, 302)
        diagnosis.refresh_from_db()
        self.assertEqual(
            (diagnosis.description, diagnosis.version),
            ("My careful wording of the diagnosis", 3),
        )

    def test_a_stale_removal_is_refused(self):
        medication = actions.add_medication(
            self.pat, fields={"name": "Sertraline", "dose": "50 mg"}, acting_user=self.alvarez
        )
        actions.change_medication(
            medication, fields={"dose": "100 mg"}, expected_version=1, acting_user=self.chen
        )
        self.login(self.alvarez)
        today = timezone.localdate().isoformat()
        response = self.client.post(
            self.item_url("remove", "medication", medication),
            {"remove-version": "1", "remove-stopped_on": today},
        )
        self.assertContains(response, "Someone else saved a change", status_code=409)
        self.assertContains(response, f'value="{today}"', status_code=409)
        medication.refresh_from_db()
        self.assertIsNone(medication.stopped_on)

    def test_removing_through_the_page(self):
        diagnosis = self.diagnosis()
        self.login(self.alvarez)
        page = self.client.get(self.item_url("edit", "diagnosis", diagnosis))
        self.assertContains(page, "Take off the current diagnoses")
        response = self.client.post(
            self.item_url("remove", "diagnosis", diagnosis),
            {"remove-version": "1", "remove-status": "resolved"},
        )
        self.assertEqual(response.status_code, 302)
        diagnosis.refresh_from_db()
        self.assertEqual(diagnosis.status, "resolved")
        summary = self.client.get(self.url())
        self.assertContains(summary, "Resolved or ruled out")
        self.assertContains(summary, "No current diagnoses.")
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        medication = actions.add_medication(
            self.pat, fields={"name": "Bupropion", "dose": "150 mg"}, acting_user=self.alvarez
        )
        response = self.client.post(
            self.item_url("remove", "medication", medication),
            {"remove-version": "1", "remove-stopped_on": future},
        )
        self.assertContains(response, "The stop date is in the future", status_code=400)

    def test_the_history_lists_every_version_with_who_and_when(self):
        diagnosis = self.diagnosis()
        actions.change_diagnosis(
            diagnosis, fields={"status": "in_remission"}, expected_version=1, acting_user=self.dana
        )
        self.login(self.sam)
        response = self.client.get(self.item_url("history", "diagnosis", diagnosis))
        self.assertContains(response, "Version 2")
        self.assertContains(response, "Version 1")
        self.assertContains(response, "Changed by <bdi>Dana Director, PhD</bdi>")
        self.assertContains(response, "Recorded by <bdi>Rosa Alvarez, PsyD</bdi>")
        self.assertContains(response, "<strong><bdi>In remission</bdi></strong>", html=True)
        self.assertRegex(response.content.decode(), r"[A-Z][a-z]{2} \d+ [A-Z][a-z]{2} \d{4}, ")

    def test_a_discharged_chart_is_read_only(self):
        self.diagnosis()
        self.pat.discharged_at = timezone.now()
        self.pat.save()
        self.login(self.alvarez)
        response = self.client.get(self.url())
        self.assertContains(response, "the summary is read only")
        self.assertNotContains(response, "Add a diagnosis")
        self.assertEqual(self.client.post(self.add_url("problem"), {}).status_code, 403)

    def test_the_chart_links_to_the_summary(self):
        self.login(self.sam)
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(response, f'href="{self.url()}"')

    def test_the_summary_page_makes_the_same_queries_for_many_rows(self):
        self.login(self.alvarez)
        self.fill(1)
        self.client.get(self.url())  # warm the session and caches
        with CaptureQueriesContext(connection) as few:
            self.client.get(self.url())
        self.fill(40)
        with self.assertNumQueries(len(few)):
            response = self.client.get(self.url())
        self.assertEqual(len(response.context["current_medications"]), 41)

    def fill(self, count):
        start = Diagnosis.objects.filter(participant=self.pat).count()
        for n in range(start, start + count):
            actions.add_diagnosis(
                self.pat,
                fields=diagnosis_fields(icd10_code=f"F{10 + n // 10}.{n % 10}", rank="secondary"),
                acting_user=self.alvarez,
            )
            actions.add_problem(
                self.pat, fields={"description": f"Problem {n}"}, acting_user=self.alvarez
            )
            actions.add_medication(
                self.pat, fields={"name": f"Medicine {n}", "dose": "1 mg"}, acting_user=self.alvarez
            )
            actions.add_allergy(
                self.pat, fields={"substance": f"Substance {n}"}, acting_user=self.alvarez
            )
