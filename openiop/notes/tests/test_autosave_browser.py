"""Autosave in a real browser: typed text survives a reload while offline, an idle sign-out,
and a second tab that saved first."""

import time
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from openiop.accounts.middleware import LAST_SEEN_KEY
from openiop.notes import actions
from openiop.notes.models import Note
from openiop.notes.tests.progress_fixtures import appointment, complete_draft
from openiop.testing import PASSWORD, BrowserTestCase, current_totp

pytestmark = pytest.mark.browser

AUTOSAVE = "**/autosave/"


class AutosaveBrowserTestCase(BrowserTestCase):
    def setUp(self):
        super().setUp()
        session = appointment(self, self.alvarez, self.pat)
        self.note = complete_draft(self.alvarez, self.pat, session, sections={})
        self.edit_url = self.url(reverse("notes:edit", args=[self.note.code]))
        self.page.set_default_timeout(20_000)

    def subjective(self):
        return self.page.get_by_label("Subjective", exact=True)

    def saved_subjective(self) -> str:
        self.note.refresh_from_db()
        return str(self.note.sections.get("subjective", ""))

    def wait_until_saved(self, text: str) -> None:
        for _ in range(100):
            if self.saved_subjective() == text:
                return
            time.sleep(0.1)
        self.fail(f"the server never saved {text!r} (has {self.saved_subjective()!r})")

    def expire_session(self) -> None:
        """What 15 idle minutes leave behind: the server-side session is past its idle limit."""
        cookie = next(c for c in self.context.cookies() if c["name"] == "sessionid")
        store = SessionStore(session_key=cookie["value"])
        store[LAST_SEEN_KEY] = int(time.time()) - 16 * 60
        store.save()

    def test_text_typed_offline_comes_back_after_a_reload(self):
        self.sign_in(self.alvarez)
        page = self.page
        page.goto(self.edit_url)
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("note-edit")

        # The network drops: the autosave cannot reach the server.
        page.route(AUTOSAVE, lambda route: route.abort())
        self.subjective().fill("Typed while the network was down.")
        self.subjective().blur()
        page.get_by_text("your text is kept on this device").wait_for()
        kept = page.evaluate("Object.keys(localStorage)")
        self.assertIn(f"openiop.autosave.note-{self.note.code}", kept)

        # Reloaded while the server still saves nothing (the save on leaving fails too).
        page.unroute(AUTOSAVE)
        refusal = actions.NoteError("Saving is paused.")
        with mock.patch("openiop.notes.actions.save_draft", side_effect=refusal):
            page.reload()
            self.assertEqual(self.subjective().input_value(), "Typed while the network was down.")
            page.get_by_text("Saving is paused.").wait_for()
            self.assertEqual(self.saved_subjective(), "")
        # Back to normal: the restored text reaches the server.
        self.subjective().fill("Typed while the network was down. And more.")
        self.subjective().blur()
        page.get_by_text("Saved at").wait_for()
        self.wait_until_saved("Typed while the network was down. And more.")
        self.assertEqual(page.evaluate("Object.keys(localStorage)"), [])
        self.screenshot("note-edit-restored")

    def test_text_typed_after_an_idle_sign_out_is_kept_and_saved_after_signing_in(self):
        self.sign_in(self.alvarez)
        self.first_period = int(time.time()) // 30
        page = self.page
        page.goto(self.edit_url)
        self.subjective().fill("Saved before the break.")
        self.subjective().blur()
        page.get_by_text("Saved at").wait_for()
        self.wait_until_saved("Saved before the break.")

        self.expire_session()
        self.subjective().fill("Saved before the break. Typed after it.")
        self.subjective().blur()
        alert = page.get_by_role("alert").filter(has_text="You were signed out")
        alert.wait_for()
        self.assertIn("your text is kept on this device", alert.inner_text())
        self.assertEqual(self.saved_subjective(), "Saved before the break.")
        self.screenshot("note-edit-signed-out")

        alert.get_by_role("link", name="Sign in again").click()
        page.get_by_label("Email").fill(self.alvarez.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        code = page.get_by_label("Code")
        code.wait_for()
        # A TOTP code is good once: wait for a period after the first sign-in's, and not
        # its last moments.
        while int(time.time()) // 30 == self.first_period or 30 - time.time() % 30 < 5:
            time.sleep(30 - time.time() % 30 + 0.5)
        code.fill(current_totp(self.alvarez))
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_url(self.edit_url)
        self.assertEqual(self.subjective().input_value(), "Saved before the break. Typed after it.")
        self.wait_until_saved("Saved before the break. Typed after it.")
        self.screenshot("note-edit-after-sign-in")

    def test_a_second_tab_that_saved_first_leaves_this_tab_its_text_to_copy(self):
        self.sign_in(self.alvarez)
        first = self.page
        first.goto(self.edit_url)
        second = self.context.new_page()
        second.set_default_timeout(20_000)
        second.goto(self.edit_url)

        first.get_by_label("Subjective", exact=True).fill("From the first tab.")
        first.get_by_label("Subjective", exact=True).blur()
        first.get_by_text("Saved at").wait_for()
        self.wait_until_saved("From the first tab.")

        second.get_by_label("Subjective", exact=True).fill("From the second tab.")
        second.get_by_label("Subjective", exact=True).blur()
        alert = second.get_by_role("alert").filter(has_text="changed somewhere else")
        alert.wait_for()
        self.assertEqual(
            second.get_by_label("Subjective", exact=True).input_value(), "From the second tab."
        )
        self.assertIn(
            "From the second tab.", second.get_by_label("Your text, to copy").input_value()
        )
        self.assertEqual(self.saved_subjective(), "From the first tab.")
        self.assertEqual(Note.objects.get().edit_version, 2)
        self.page = second
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("note-edit-conflict")

    def test_text_typed_before_the_script_ran_is_saved(self):
        self.sign_in(self.alvarez)
        page = self.page
        # A slow connection: the page is there to type in before autosave.js has run.
        page.route("**/autosave.js", lambda route: route.abort())
        page.goto(self.edit_url)
        self.subjective().fill("Typed before the script arrived.")
        page.unroute("**/autosave.js")
        page.add_script_tag(url="/static/js/autosave.js")
        page.get_by_text("Saved at").wait_for()
        self.wait_until_saved("Typed before the script arrived.")
