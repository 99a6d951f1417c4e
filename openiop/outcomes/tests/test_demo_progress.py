from io import StringIO

from django.core.management import call_command

from openiop.assessments.change import changes
from openiop.outcomes.demo_progress import answers_for
from openiop.participants.models import Participant
from openiop.safety.models import SafetyAlert
from openiop.testing import BaseTestCase


class ProgressDemoTestCase(BaseTestCase):
    def test_answers_add_up_without_touching_item_9(self):
        answers = answers_for("phq-9", 24)
        self.assertEqual(answers["9"], "LA6568-5")
        self.assertEqual(
            sum(
                ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"].index(a) for a in answers.values()
            ),
            24,
        )

    def test_the_demo_has_two_improvements_and_a_deterioration(self):
        call_command("load_demo", "--quiet", stdout=StringIO())
        improved, deteriorated = [], []
        for participant in Participant.objects.filter(user__email__endswith="demo.openiop.invalid"):
            judged = changes(participant)
            phq9 = judged.get("phq-9")
            if phq9 is None or len(phq9.points) < 5:
                continue
            if phq9.improved and judged["gad-7"].improved:
                improved.append(participant)
            if phq9.deteriorated:
                deteriorated.append(participant)
        self.assertGreaterEqual(len(improved), 2)
        self.assertEqual(len(deteriorated), 1)
        self.assertTrue(
            SafetyAlert.objects.filter(
                participant=deteriorated[0], kind=SafetyAlert.Kind.DETERIORATION
            ).exists()
        )
