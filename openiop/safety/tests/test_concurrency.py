"""Signals arriving at the same moment from many connections collapse into one alert."""

import threading

from django.db import connections

from openiop.assessments import actions as assessment_actions
from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Response
from openiop.safety import actions
from openiop.safety.models import AlertTrigger, SafetyAlert
from openiop.testing import Personas, TransactionalTestCase


def run_together(target, count):
    barrier = threading.Barrier(count)
    errors: list[Exception] = []
    results: list[object] = []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


class ConcurrentAlertsTestCase(Personas, TransactionalTestCase):
    def setUp(self):
        super().setUp()
        self.create_personas()

    def test_simultaneous_signals_make_one_alert_and_lose_none(self):
        def concern():
            return actions.raise_alert(
                self.pat,
                kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
                acting_user=self.alvarez,
                concern="Synthetic concern",
            )

        _, errors = run_together(concern, 6)
        self.assertEqual(errors, [])
        alert = SafetyAlert.objects.get()
        self.assertEqual(alert.trigger_count, 6)
        self.assertEqual(AlertTrigger.objects.filter(alert=alert).count(), 6)

    def test_a_double_submission_lands_once(self):
        phq9 = shipped_instrument("phq-9")
        assignment = assessment_actions.assign_instrument(self.pat, phq9, acting_user=self.alvarez)
        answers = {str(n): "LA6568-5" for n in range(1, 10)}

        def submit():
            return assessment_actions.answer(
                assignment,
                answers,
                intent=assessment_actions.Intent.SUBMIT,
                acting_user=self.pat_user,
                source="participant",
            )

        results, errors = run_together(submit, 2)
        self.assertEqual(len(results), 1)
        self.assertEqual([type(e) for e in errors], [assessment_actions.AlreadySubmitted])
        self.assertEqual(Response.objects.filter(status="submitted").count(), 1)
