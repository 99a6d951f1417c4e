"""Drafts autosave; concurrent edits are detected by a version check and the second writer
keeps their text; an expired session gets JSON, not the sign-in page; long texts get a clear
limit."""

import time

from django.test import Client
from django.urls import reverse

from openiop.accounts.middleware import LAST_SEEN_KEY
from openiop.audit.models import AuditEvent
from openiop.notes import actions
from openiop.notes.models import Note
from openiop.notes.tests.progress_fixtures import (
    complete_draft,
    plan_with_objectives,
    post_data,
)
from openiop.testing import BaseTestCase

JSON = {"Accept": "application/json", "X-Requested-With": "fetch"}


class AutosaveTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.note = complete_draft(self.alvarez, self.pat)
        self.url = reverse("notes:autosave", args=[self.note.code])
        self.login(self.alvarez)

    def test_a_save_from_the_current_version_is_saved_and_returns_the_next_version(self):
        objective = plan_with_objectives(self, self.pat)[0]
        data = post_data(self.note, section_plan="Next: practise TIPP.", objectives=[objective.pk])
        response = self.client.post(self.url, data, headers=JSON)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual((body["saved"], body["changed"], body["edit_version"]), (True, True, 2))
        self.note.refresh_from_db()
        self.assertEqual(self.note.sections["plan"], "Next: practise TIPP.")
        self.assertEqual(list(self.note.objectives.all()), [objective])
        self.assertIsNotNone(self.note.autosaved_at)
        event = AuditEvent.objects.get(event_type="notes.draft_saved")
        self.assertEqual(event.details["fields"], ["sections", "objectives"])
        self.assertIs(event.details["automatic"], True)

    def test_a_save_that_changes_nothing_writes_nothing(self):
        response = self.client.post(self.url, post_data(self.note), headers=JSON)
        self.assertEqual(response.json()["edit_version"], 1)
        self.assertFalse(AuditEvent.objects.filter(event_type="notes.draft_saved").exists())

    def test_two_concurrent_edits_one_saves_the_other_gets_a_conflict_and_keeps_its_text(self):
        # Two tabs opened the draft at version 1.
        first = post_data(self.note, section_plan="Typed in the first tab.")
        second = post_data(self.note, section_plan="Typed in the second tab.")
        self.assertEqual(self.client.post(self.url, first, headers=JSON).status_code, 200)
        response = self.client.post(self.url, second, headers=JSON)
        self.assertEqual(response.status_code, 409)
        body = response.json()
        self.assertEqual((body["error"], body["edit_version"]), ("conflict", 2))
        self.assertIn("changed somewhere else", body["message"])
        self.note.refresh_from_db()
        self.assertEqual(self.note.sections["plan"], "Typed in the first tab.")
        # The page's own "Save draft" from the stale tab says the same and shows its text.
        response = self.client.post(reverse("notes:edit", args=[self.note.code]), second)
        self.assertContains(response, "changed somewhere else", status_code=409)
        self.assertContains(response, "Typed in the second tab.", status_code=409)
        self.note.refresh_from_db()
        self.assertEqual(self.note.edit_version, 2)

    def test_the_same_text_from_an_older_version_is_no_conflict(self):
        data = post_data(self.note, section_plan="Same words.")
        self.client.post(self.url, data, headers=JSON)
        response = self.client.post(self.url, data, headers=JSON)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["edit_version"], 2)

    def test_an_expired_session_gets_json_401_and_the_saved_draft_stays(self):
        self.client.post(
            self.url, post_data(self.note, section_plan="Saved before idling."), headers=JSON
        )
        session = self.client.session
        session[LAST_SEEN_KEY] = int(time.time()) - 16 * 60  # 15 idle minutes for staff
        session.save()
        response = self.client.post(
            self.url,
            post_data(self.note, edit_version=2, section_plan="After idling."),
            headers=JSON,
        )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response.json()["error"], "signed_out")
        self.assertTrue(AuditEvent.objects.filter(event_type="auth.session_expired").exists())
        self.note.refresh_from_db()
        self.assertEqual(self.note.sections["plan"], "Saved before idling.")
        # Signed out for good: the next autosave is 401 too, never a redirect to HTML.
        response = self.client.post(self.url, post_data(self.note), headers=JSON)
        self.assertEqual(response.status_code, 401)
        # A page load (not JSON) still goes to the sign-in page.
        self.login(self.alvarez)
        session = self.client.session
        session[LAST_SEEN_KEY] = int(time.time()) - 16 * 60
        session.save()
        page = self.client.get(reverse("notes:edit", args=[self.note.code]))
        self.assertEqual(page.status_code, 302)
        self.assertIn(reverse("account_login"), page["Location"])

    def test_an_anonymous_autosave_is_401_json(self):
        response = Client().post(self.url, post_data(self.note), headers=JSON)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"], "signed_out")

    def test_only_the_author_autosaves(self):
        self.login(self.dana)
        response = self.client.post(self.url, post_data(self.note, section_plan="x"), headers=JSON)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "forbidden")
        self.login(self.chen)
        self.assertEqual(
            self.client.post(self.url, post_data(self.note), headers=JSON).status_code, 404
        )


class LongTextTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.note = complete_draft(self.alvarez, self.pat)
        self.login(self.alvarez)

    def test_a_section_up_to_the_limit_is_saved(self):
        text = "a" * actions.NOTE_TEXT_LIMIT
        url = reverse("notes:autosave", args=[self.note.code])
        response = self.client.post(
            url, post_data(self.note, section_subjective=text), headers=JSON
        )
        self.assertEqual(response.status_code, 200)
        self.note.refresh_from_db()
        self.assertEqual(len(self.note.sections["subjective"]), actions.NOTE_TEXT_LIMIT)

    def test_a_100_kb_section_is_refused_with_a_message_and_kept_on_the_page(self):
        text = "Long session. " * 7300  # ~100 KB
        self.assertGreater(len(text.encode()), 100_000)
        url = reverse("notes:autosave", args=[self.note.code])
        response = self.client.post(
            url, post_data(self.note, section_subjective=text), headers=JSON
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("the limit is 50,000", response.json()["message"])
        response = self.client.post(
            reverse("notes:edit", args=[self.note.code]),
            post_data(self.note, section_subjective=text),
        )
        self.assertContains(response, "the limit is 50,000", status_code=400)
        self.assertContains(response, text[:2000], status_code=400)
        self.assertEqual(response.content.decode().count("Long session."), 7300)
        self.note.refresh_from_db()
        self.assertEqual(self.note.sections["subjective"], "Pat says the week was hard.")

    def test_a_time_that_does_not_parse_is_refused_and_nothing_is_lost(self):
        url = reverse("notes:autosave", args=[self.note.code])
        response = self.client.post(
            url, post_data(self.note, started_at="yesterday", section_plan="Kept?"), headers=JSON
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Started", response.json()["message"])

    def test_an_end_before_the_start_is_refused(self):
        data = post_data(self.note)
        data["ended_at"], data["started_at"] = data["started_at"], data["ended_at"]
        url = reverse("notes:autosave", args=[self.note.code])
        response = self.client.post(url, data, headers=JSON)
        self.assertEqual(response.status_code, 400)
        self.assertIn("The end must be after the start.", response.json()["message"])
        self.assertEqual(Note.objects.get().edit_version, 1)
