"""A progress note end to end in Chromium: written from the session page, signed, locked,
amended; then read by the participant on a phone."""

import re

import pytest
from django.urls import reverse

from openiop.notes.models import Addendum, Note
from openiop.notes.tests.progress_fixtures import appointment, joined_by_video
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class ProgressNoteBrowserTestCase(BrowserTestCase):
    def test_a_note_is_written_signed_amended_and_read_by_the_participant(self):
        session = appointment(self, self.alvarez, self.pat)
        joined_by_video(session, self.pat)
        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(self.alvarez)

        page.goto(self.url(reverse("scheduling:session", args=[session.code])))
        page.get_by_role("button", name=re.compile("Write note")).click()
        page.get_by_role("heading", name=re.compile("Individual session note")).wait_for()
        self.assertEqual(page.get_by_label("Participant's location").input_value(), "Brooklyn, NY")

        # BIRP instead of SOAP: the page shows BIRP's sections.
        page.get_by_label("Note format").select_option("birp")
        self.assertFalse(page.get_by_label("Subjective", exact=True).is_visible())
        for label, text in (
            ("Behavior", "Arrived on time; <b>tearful</b> at first."),
            ("Intervention", "Chain analysis of Tuesday's argument (DBT)."),
            ("Response", "Named the vulnerability factors herself."),
            ("Plan", "Practise opposite action; next session in a week."),
        ):
            page.get_by_label(label, exact=True).fill(text)
        page.get_by_label("Risk status").select_option("low")
        page.get_by_label("Risk comment").fill("Denies current intent; safety plan reviewed.")
        self.assertEqual(self.serious_violations(), [])
        page.get_by_role("button", name="Sign the note").click()

        page.get_by_text("Note signed.").wait_for()
        note = Note.objects.get()
        self.assertTrue(note.is_signed)
        self.assertEqual(note.form, Note.Form.BIRP)
        self.assertIn("the note is unchanged since it was signed", page.content())
        # Typed markup stays text.
        self.assertEqual(page.locator("main b").count(), 0)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("note-signed")

        # Locked: the edit page refuses; the note takes an addendum.
        page.goto(self.url(reverse("notes:edit", args=[note.code])))
        page.get_by_role("heading", name="This note is signed").wait_for()
        page.get_by_role("link", name=re.compile("add an addendum")).click()
        page.get_by_label("Reason for the addendum").fill("Information received later")
        page.get_by_label("Addendum", exact=True).fill("Her sister confirmed the plan.")
        page.get_by_role("button", name="Add the addendum").click()
        page.get_by_text("Addendum added.").wait_for()
        self.assertEqual(Addendum.objects.get().reason, "Information received later")
        self.screenshot("note-amended")

        # Pat reads it on her phone.
        self.context.close()
        self.context = self.browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
        self.page = page = self.context.new_page()
        page.set_default_timeout(20_000)
        self.sign_in(self.pat_user)
        page.get_by_role("link", name=re.compile("notes from your sessions")).click()
        page.get_by_role("link", name=re.compile("Individual session")).click()
        page.get_by_role("heading", name="Individual session note").wait_for()
        self.assertIn("Named the vulnerability factors herself.", page.content())
        self.assertIn("Her sister confirmed the plan.", page.content())
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide = page.evaluate(
                "[...document.querySelectorAll('main *')]"
                ".filter(e => e.getBoundingClientRect().right > 390)"
                ".map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"
            )
            self.fail(f"wider than the phone: {wide[:5]}")
        self.assertLessEqual(width, PHONE["width"])
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("note-participant-phone")
