from datetime import date

from django.urls import reverse

from openiop.careplans.demo_signing import load_signing_demo
from openiop.careplans.models import TreatmentPlan
from openiop.careplans.reviews import OVERDUE, plans_due_for_review
from openiop.core import demo
from openiop.testing import BaseTestCase

Status = TreatmentPlan.Status


class SigningDemoTestCase(BaseTestCase):
    def test_it_leaves_a_plan_to_sign_one_overdue_and_one_reviewed(self):
        program = demo.load(participants=8)
        program.requires_physician_certification = True
        program.save()
        today = date.today()
        shown = load_signing_demo(program, today=today)
        self.assertEqual(set(shown), {"awaiting_participant", "overdue", "reviewed", "in_effect"})

        waiting = shown["awaiting_participant"]
        self.assertEqual(waiting.status, Status.AWAITING_SIGNATURES)
        self.assertEqual(
            sorted(waiting.signatures.values_list("role", flat=True)),
            ["physician", "primary_clinician"],
        )
        # The first participant login is the one whose plan waits.
        assert waiting.participant.user is not None
        self.client.force_login(waiting.participant.user)
        self.assertContains(self.client.get(reverse("home")), "ready to sign")

        reviews = plans_due_for_review(
            TreatmentPlan.objects.filter(participant__program=program), today=today
        )
        self.assertEqual([(r.plan, r.status) for r in reviews], [(shown["overdue"], OVERDUE)])

        reviewed = shown["reviewed"]
        self.assertEqual((reviewed.number, reviewed.status), (2, Status.ACTIVE))
        assert reviewed.previous is not None
        self.assertEqual(reviewed.previous.status, Status.SUPERSEDED)
        self.assertEqual(shown["in_effect"].status, Status.ACTIVE)
