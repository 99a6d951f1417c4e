from io import StringIO

from django.core.management import call_command

from openiop.assessments.models import Assignment, Response
from openiop.intake.models import Referral
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase


class AssessmentDemoTestCase(BaseTestCase):
    def test_the_demo_has_questionnaires_scores_and_a_referral(self):
        call_command("load_demo", "--quiet", stdout=StringIO())
        # The assessments demo leaves 6 open; the schedules, feedback and outcomes demos add theirs.
        self.assertGreaterEqual(Assignment.objects.filter(status="open").count(), 6)
        # 24 from the assessments demo; the clinical record's demo admits people with scores too.
        self.assertGreaterEqual(Response.objects.filter(status="submitted").count(), 24)
        self.assertTrue(Referral.objects.filter(stage="screening").exists())
        # The one alert is the safety pathway's demo alert part-way up the ladder
        # (openiop/core/demo_safety.py); no questionnaire of this demo has a critical answer.
        # (The progress demo's reliable deterioration raises its own alert: outcomes tests.)
        self.assertEqual(
            list(
                SafetyAlert.objects.exclude(kind=SafetyAlert.Kind.DETERIORATION).values_list(
                    "participant__user__email", flat=True
                )
            ),
            ["participant0005@demo.openiop.invalid"],
        )
