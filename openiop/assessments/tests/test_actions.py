"""Assigning, answering, submitting and correcting, on the real database."""

from io import StringIO
from pathlib import Path
from typing import ClassVar

from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, transaction

from openiop.assessments import actions
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.assessments.scoring import InvalidAnswer
from openiop.audit.models import AuditEvent
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase

FIXTURE = Path(__file__).parent / "fixtures" / "example-site-instrument.json"
NONE, SEVERAL = "LA6568-5", "LA6569-3"


def phq9(item9=NONE, **overrides):
    answers = {str(n): NONE for n in range(1, 9)} | {"9": item9}
    answers.update(overrides)
    return {k: v for k, v in answers.items() if v is not None}


def save(assignment, answers, *, acting_user, source="participant"):
    return actions.answer(
        assignment, answers, intent=actions.Intent.SAVE, acting_user=acting_user, source=source
    ).response


def submit(assignment, answers, *, acting_user, source="participant"):
    """Submit whatever is there, as the "submit incomplete" button does."""
    return actions.answer(
        assignment,
        answers,
        intent=actions.Intent.SUBMIT_INCOMPLETE,
        acting_user=acting_user,
        source=source,
    ).response


class AssessmentActionsTestCase(BaseTestCase):
    phq9: ClassVar[InstrumentDefinition]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.phq9 = shipped_instrument("phq-9")

    def assign(self):
        return actions.assign_instrument(self.pat, self.phq9, acting_user=self.alvarez)

    def events(self, *types):
        return list(
            AuditEvent.objects.filter(event_type__in=types).values_list("event_type", flat=True)
        )

    def test_shipped_instruments_are_loaded(self):
        keys = set(InstrumentDefinition.objects.values_list("key", flat=True))
        self.assertEqual(keys, {"phq-9", "phq-2", "gad-7", "pcl-5", "asq", "session-check-in"})

    def test_it_does_not_duplicate_an_open_assignment(self):
        first = self.assign()
        self.assertEqual(self.assign(), first)
        self.assertEqual(self.events("assessment.assigned"), ["assessment.assigned"])

    def test_it_saves_answers_as_the_participant_goes(self):
        assignment = self.assign()
        user = self.pat_user
        save(assignment, {"1": SEVERAL}, acting_user=user, source="participant")
        response = save(
            assignment, {"1": SEVERAL, "2": NONE}, acting_user=user, source="participant"
        )
        self.assertEqual(response.answers, {"1": SEVERAL, "2": NONE})
        self.assertEqual(Response.objects.count(), 1)
        self.assertEqual(len(self.events("assessment.answers_saved")), 2)

    def test_it_rejects_an_unknown_answer_code_and_keeps_nothing(self):
        assignment = self.assign()
        with self.assertRaises(InvalidAnswer):
            save(assignment, {"1": "LA0000-0"}, acting_user=self.pat_user, source="participant")
        self.assertFalse(Response.objects.exists())

    def test_submitting_scores_and_freezes_the_response(self):
        assignment = self.assign()
        response = submit(
            assignment, phq9(**{"1": SEVERAL}), acting_user=self.pat_user, source="participant"
        )
        self.assertEqual(response.status, Response.Status.SUBMITTED)
        self.assertTrue(response.complete)
        self.assertEqual(response.scores["total"]["value"], 1)
        self.assertEqual(response.scores["total"]["band"], "minimal")
        assignment.refresh_from_db()
        self.assertEqual(assignment.status, Assignment.Status.COMPLETED)
        self.assertFalse(SafetyAlert.objects.exists())
        with self.assertRaises(DatabaseError), transaction.atomic():
            Response.objects.filter(pk=response.pk).update(answers={})
        with self.assertRaises(DatabaseError), transaction.atomic():
            Response.objects.filter(pk=response.pk).delete()

    def test_a_response_cannot_be_submitted_twice(self):
        assignment = self.assign()
        submit(assignment, phq9(), acting_user=self.pat_user, source="participant")
        with self.assertRaises(actions.AlreadySubmitted):
            submit(assignment, phq9(), acting_user=self.pat_user, source="participant")
        with self.assertRaises(actions.AlreadySubmitted):
            save(assignment, {"1": NONE}, acting_user=self.pat_user, source="participant")
        self.assertEqual(Response.objects.count(), 1)

    def test_item_9_at_a_total_of_1_raises_a_safety_alert(self):
        response = submit(
            self.assign(), phq9(item9=SEVERAL), acting_user=self.pat_user, source="participant"
        )
        self.assertEqual(response.scores["total"]["value"], 1)
        alert = SafetyAlert.objects.get()
        self.assertEqual(alert.participant, self.pat)
        self.assertEqual(alert.triggers.get().response, response)
        self.assertEqual(
            self.events("assessment.submitted", "safety.alert_raised"),
            ["assessment.submitted", "safety.alert_raised"],
        )

    def test_a_saved_critical_answer_alerts_before_submission(self):
        assignment = self.assign()
        for _ in range(2):
            save(assignment, {"9": SEVERAL}, acting_user=self.pat_user, source="participant")
        alert = SafetyAlert.objects.get()
        self.assertEqual(alert.trigger_count, 1)
        submit(assignment, phq9(item9=SEVERAL), acting_user=self.pat_user, source="participant")
        alert.refresh_from_db()
        self.assertEqual(alert.trigger_count, 2)
        self.assertEqual(
            list(alert.triggers.values_list("signal", flat=True)),
            ["answer_saved", "response_submitted"],
        )

    def test_a_draft_without_item_9_does_not_alert_yet(self):
        save(self.assign(), {"1": SEVERAL}, acting_user=self.pat_user, source="participant")
        self.assertFalse(SafetyAlert.objects.exists())

    def test_missing_item_9_is_incomplete_and_raises_an_alert(self):
        response = submit(
            self.assign(), phq9(item9=None), acting_user=self.pat_user, source="participant"
        )
        self.assertFalse(response.complete)
        self.assertEqual(response.missing_items, ["9"])
        self.assertIsNone(response.scores["total"]["value"])
        self.assertEqual(response.critical_items[0]["reason"], "missing")
        self.assertTrue(SafetyAlert.objects.filter(participant=self.pat).exists())

    def test_submit_with_a_required_item_missing_keeps_the_draft_and_names_it(self):
        assignment = self.assign()
        answered = actions.answer(
            assignment,
            phq9(item9=None),
            intent=actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        )
        self.assertFalse(answered.submitted)
        self.assertEqual(answered.missing, ("9",))
        self.assertEqual(answered.response.status, Response.Status.IN_PROGRESS)
        assignment.refresh_from_db()
        self.assertEqual(assignment.status, Assignment.Status.OPEN)
        # A missing item alerts only once the response is submitted as it is.
        self.assertFalse(SafetyAlert.objects.exists())
        answered = actions.answer(
            assignment,
            phq9(item9=None),
            intent=actions.Intent.SUBMIT_INCOMPLETE,
            acting_user=self.pat_user,
            source="participant",
        )
        self.assertTrue(answered.submitted)
        self.assertEqual(answered.response, Response.objects.get())
        self.assertTrue(SafetyAlert.objects.exists())

    def test_a_complete_submit_submits(self):
        answered = actions.answer(
            self.assign(),
            phq9(),
            intent=actions.Intent.SUBMIT,
            acting_user=self.pat_user,
            source="participant",
        )
        self.assertTrue(answered.submitted)
        self.assertEqual(answered.missing, ())
        self.assertTrue(answered.response.complete)

    def test_a_correction_is_a_new_linked_response(self):
        original = submit(self.assign(), phq9(), acting_user=self.pat_user, source="participant")
        correction = actions.correct_response(
            original,
            phq9(**{"2": SEVERAL}),
            reason="Participant clarified item 2 in session",
            acting_user=self.alvarez,
        )
        self.assertEqual(correction.replaces, original)
        self.assertEqual(correction.scores["total"]["value"], 1)
        original.refresh_from_db()
        self.assertEqual(original.scores["total"]["value"], 0)
        with self.assertRaises(actions.AlreadyCorrected):
            actions.correct_response(original, phq9(), reason="again", acting_user=self.alvarez)
        event = AuditEvent.objects.get(event_type="assessment.corrected")
        self.assertEqual(event.details["changed"], 1)

    def test_a_correction_needs_a_reason(self):
        original = submit(self.assign(), phq9(), acting_user=self.pat_user, source="participant")
        with self.assertRaises(actions.AssessmentError):
            actions.correct_response(original, phq9(), reason="  ", acting_user=self.alvarez)

    def test_the_database_keeps_one_draft_per_assignment(self):
        assignment = self.assign()
        fields = {
            "assignment": assignment,
            "participant": self.pat,
            "instrument": self.phq9,
            "source": "participant",
            "started_by": self.pat_user,
        }
        Response.objects.create(**fields)
        with self.assertRaises(IntegrityError), transaction.atomic():
            Response.objects.create(**fields)


class LoadInstrumentCommandTestCase(BaseTestCase):
    def test_it_loads_and_scores_a_site_file(self):
        out = StringIO()
        call_command("load_instrument", str(FIXTURE), by=self.admin.email, stdout=out)
        self.assertIn("Loaded Example day check", out.getvalue())
        row = InstrumentDefinition.objects.get(key="example-day-check")
        self.assertFalse(row.shipped)
        self.assertEqual(row.loaded_by, self.admin)
        assignment = actions.assign_instrument(self.pat, row, acting_user=self.alvarez)
        response = submit(
            assignment, {"1": "rarely", "2": "yes"}, acting_user=self.pat_user, source="participant"
        )
        self.assertEqual(response.scores["total"]["value"], 4)
        self.assertEqual(response.critical_items[0]["id"], "unsafe-at-home")
        self.assertTrue(AuditEvent.objects.filter(event_type="assessment.instrument_loaded"))

    def test_loading_the_same_file_again_changes_nothing(self):
        call_command("load_instrument", str(FIXTURE), by=self.admin.email, stdout=StringIO())
        out = StringIO()
        call_command("load_instrument", str(FIXTURE), by=self.admin.email, stdout=out)
        self.assertIn("Already loaded", out.getvalue())
        self.assertEqual(InstrumentDefinition.objects.filter(key="example-day-check").count(), 1)

    def test_a_malformed_file_is_refused_and_nothing_is_imported(self):
        path = Path(self.id().replace(".", "_") + ".json")
        text = FIXTURE.read_text().replace('"min": 2, "max": 4', '"min": 3, "max": 4')
        tmp = Path("/tmp") / path
        tmp.write_text(text)
        self.addCleanup(tmp.unlink)
        with self.assertRaisesMessage(CommandError, "field scoring.scores[0].bands[1].min"):
            call_command("load_instrument", str(tmp), by=self.admin.email, stdout=StringIO())
        self.assertFalse(InstrumentDefinition.objects.filter(key="example-day-check").exists())

    def test_changed_content_under_a_loaded_version_is_refused(self):
        call_command("load_instrument", str(FIXTURE), by=self.admin.email, stdout=StringIO())
        tmp = Path("/tmp") / (self.id().replace(".", "_") + ".json")
        tmp.write_text(FIXTURE.read_text().replace("I had enough energy", "I had energy"))
        self.addCleanup(tmp.unlink)
        with self.assertRaisesMessage(CommandError, "give the changed file a new version"):
            call_command("load_instrument", str(tmp), by=self.admin.email, stdout=StringIO())

    def test_it_needs_a_member_of_staff(self):
        with self.assertRaisesMessage(CommandError, "No member of staff"):
            call_command("load_instrument", str(FIXTURE), by=self.pat_user.email)
