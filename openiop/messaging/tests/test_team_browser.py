"""The care team in the browser: Dr. Alvarez opens Pat's team page from her chart, gives Sam a
task (a due time already past is refused first) and mentions him in the thread, then records
the case review's decision about Pat; Sam finds the task on "My tasks". Every page passes axe."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from openiop.messaging.models import CaseReviewDecision, Mention, TeamTask
from openiop.safety.models import SafetyAlert
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

# Tuesday 1 December 2026, 9 AM in New York.
NOW = datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("America/New_York"))


class TeamBrowserTest(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=True))
        super().setUp()
        SafetyAlert.objects.create(
            participant=self.pat,
            kind=SafetyAlert.Kind.CLINICIAN_CONCERN,
            opened_at=NOW,
            last_triggered_at=NOW,
        )

    def test_a_clinician_adds_a_task_and_records_a_decision(self):
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="Care team: tasks, thread and case review decisions").click()
        page.get_by_role("heading", name="Tasks").wait_for()

        form = page.locator("form", has=page.get_by_role("button", name="Add task"))
        form.get_by_label("Task").fill("Call after missed session")
        form.get_by_label("Owner").select_option(label="Sam Rivera, CPS")
        form.get_by_label("Due").fill("2026-11-30T17:00")
        form.get_by_role("button", name="Add task").click()
        page.get_by_text("The due time has passed").first.wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("team-task-due-in-the-past")

        form = page.locator("form", has=page.get_by_role("button", name="Add task"))
        form.get_by_label("Due").fill("2026-12-02T17:00")
        form.get_by_role("button", name="Add task").click()
        page.get_by_text("Task added.").wait_for()

        page.get_by_label("Message to the team").fill("@Sam Rivera could you call Pat today?")
        page.get_by_role("button", name="Post").click()
        page.get_by_text("Posted to the team.").wait_for()
        page.get_by_text("could you call Pat today?").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("team-page")
        self.assertEqual(TeamTask.objects.get().owner, self.sam)
        self.assertEqual(Mention.objects.get().user, self.sam)

        page.get_by_role("link", name="Case review").first.click()
        page.get_by_role("heading", name="Case review: Adult Mental Health IOP").wait_for()
        page.get_by_label("Decision for").fill("Safety plan review with Pat this week.")
        page.get_by_role("button", name="Record decision").click()
        page.get_by_text("Decision recorded.").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("team-case-review")
        self.assertEqual(CaseReviewDecision.objects.get().decided_by, self.alvarez)

    def test_my_tasks_on_a_phone(self):
        TeamTask.objects.create(
            participant=self.pat,
            title="Med review",
            owner=self.sam,
            due_at=NOW.replace(hour=8),
            created_by=self.alvarez,
            created_at=NOW,
        )
        self.page.set_viewport_size({"width": 390, "height": 844})
        self.sign_in(self.sam)
        self.page.goto(self.url("/messages/tasks/"))
        self.page.get_by_text("Overdue").wait_for()
        self.assertEqual(serious_violations(self.page), [])
        self.screenshot("team-my-tasks-phone")
        self.page.get_by_role("button", name="Mark done").click()
        self.page.get_by_text("Task done.").wait_for()
        self.assertEqual(TeamTask.objects.get().status, TeamTask.Status.DONE)
