from datetime import timedelta

import pytest
from django.utils import timezone

from openiop.safety.models import SafetyPlan
from openiop.safety.tests.board_fixtures import acknowledge, make_alert
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser


class SafetyBoardBrowserTestCase(BrowserTestCase):
    def test_a_director_reaches_the_board_from_her_worklist_and_reads_it(self):
        now = timezone.now()
        robin = self.make_participant("robin@example.org", "Robin", "Okafor", "")
        make_alert(
            robin, rule="asq_acute_positive", opened_at=now - timedelta(minutes=12),
            raised_by=robin.user, owner=self.chen, acknowledge_by=now - timedelta(minutes=7),
        )  # fmt: skip
        make_alert(
            self.pat, rule="phq9_item9_high", opened_at=now - timedelta(minutes=20),
            raised_by=self.pat_user, owner=self.alvarez, acknowledge_by=now + timedelta(minutes=10),
        )  # fmt: skip
        make_alert(
            self.quinn, rule="phq9_item9_low", opened_at=now - timedelta(hours=5),
            raised_by=self.quinn_user, owner=self.chen, acknowledge_by=now + timedelta(hours=20),
        )  # fmt: skip
        sky = self.make_participant("sky@example.org", "Sky", "Ibarra", "")
        closed = make_alert(
            sky, rule="asq_positive", opened_at=now - timedelta(days=2), raised_by=sky.user,
            owner=self.alvarez,
        )  # fmt: skip
        acknowledge(
            closed, by=self.chen, at=now - timedelta(days=2) + timedelta(hours=1),
            escalated_at=now - timedelta(days=2) + timedelta(minutes=30),
        )  # fmt: skip
        SafetyPlan.objects.create(
            participant=sky, status=SafetyPlan.Status.ACTIVE, created_by=self.chen,
            created_at=now - timedelta(days=1), signed_by=self.chen,
            signed_at=now - timedelta(days=1), content_hash="x" * 64,
        )  # fmt: skip

        self.sign_in(self.dana)
        page = self.page
        page.get_by_role("link", name="Open the program safety board").click()
        page.get_by_role("heading", name="Safety board: Adult Mental Health IOP").wait_for()
        emergency = page.get_by_role("table", name="Emergency alerts, oldest first")
        self.assertIn("Missed", emergency.get_by_role("row", name="Robin O.").inner_text())
        page.get_by_role("heading", name="Open, past a deadline (1)").wait_for()
        page.get_by_role("heading", name="Acknowledged late in the last 30 days (1)").wait_for()
        # Robin, Pat and Quinn screened positive with no plan; Sky's plan is newer than her alert.
        page.get_by_role("heading", name="Without a current safety plan (3)").wait_for()
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("safety-board")
