"""Dr. Alvarez keeps a private psychotherapy note from Pat's chart, in a real browser."""

import pytest

from openiop.notes.models import PsychotherapyNote
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser


class PsychotherapyBrowserTest(BrowserTestCase):
    def test_the_author_writes_reads_and_edits_a_private_note(self):
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)
        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="My private psychotherapy notes").click()
        page.get_by_text("Kept apart from the record; not part of the participant's").wait_for()
        self.assertEqual(serious_violations(page), [])
        page.get_by_role("link", name="Write a psychotherapy note").click()
        page.get_by_label("Note", exact=True).fill(
            "Synthetic: <b>guarded</b> when the father came up."
        )
        self.assertEqual(serious_violations(page), [])
        self.screenshot("psychotherapy-note-form")
        page.get_by_role("button", name="Save the note").click()
        page.get_by_text("Psychotherapy note saved. Only you can see it.").wait_for()
        page.get_by_text("<b>guarded</b> when the father came up.").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("psychotherapy-note")

        page.get_by_role("link", name="Edit").click()
        page.get_by_label("Note", exact=True).fill("Synthetic: revised after supervision.")
        page.get_by_role("button", name="Save the note").click()
        page.get_by_text("revised after supervision.").wait_for()
        self.assertEqual(PsychotherapyNote.objects.get().edit_version, 2)
