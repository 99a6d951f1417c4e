"""The peer space in a real browser at a phone's size (390×844): a crisis post is held and
raises an alert; another group's member gets 404; an alumnus keeps the alumni space only."""

from datetime import UTC, datetime

import pytest
import time_machine

from openiop.community.models import Post, Space
from openiop.community.tests.base import discharge, make_groups, post_in
from openiop.safety.models import SafetyAlert
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

NOW = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
PHONE = {"width": 390, "height": 844}


class PeerSpaceBrowserTest(BrowserTestCase):
    viewport = PHONE

    def setUp(self):
        self.enterContext(time_machine.travel(NOW, tick=True))
        super().setUp()
        self.evening, self.morning = make_groups(self)
        post_in(self, self.evening, self.sam, "Welcome to the evening group's space.")

    def test_a_crisis_post_is_held_and_raises_an_alert(self):
        page = self.page
        self.sign_in(self.pat_user)
        page.get_by_role("link", name="Peer space").first.click()
        page.get_by_role("link", name="Evening DBT").click()
        page.get_by_role("heading", name="Group rules").wait_for()
        self.screenshot("community-rules")
        self.assertEqual(self.serious_violations(), [])
        page.get_by_role("button", name="I accept the rules").click()
        page.get_by_text("Welcome to the evening group's space.").wait_for()
        page.get_by_label("Your message").fill("Tonight I want to die.")
        page.get_by_role("button", name="Post").click()
        page.get_by_text("Your post is waiting for a moderator").wait_for()
        self.assertTrue(page.get_by_role("link", name="988").first.is_visible())
        self.screenshot("community-post-held")
        self.assertEqual(self.serious_violations(), [])
        post = Post.objects.get(author=self.pat_user)
        self.assertEqual(post.status, Post.Status.HELD)
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.kind, SafetyAlert.Kind.CRISIS_LANGUAGE)

        # The peer specialist finds it in the moderation view and releases it.
        self.context.close()
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = page = self.context.new_page()
        self.sign_in(self.sam)
        page.goto(self.url(f"/community/{self.evening.code}/moderation/"))
        page.get_by_text("Tonight I want to die.").wait_for()
        self.screenshot("community-moderation-held")
        self.assertEqual(self.serious_violations(), [])
        page.get_by_role("button", name="Release to the space").click()
        page.get_by_text("Nothing held.").wait_for()
        post.refresh_from_db()
        self.assertEqual(post.status, Post.Status.VISIBLE)

    def test_a_member_of_another_group_gets_404(self):
        page = self.page
        self.sign_in(self.quinn_user)
        response = page.goto(self.url(f"/community/{self.evening.code}/"))
        assert response is not None
        self.assertEqual(response.status, 404)
        self.screenshot("community-other-group-404")
        self.assertEqual(self.serious_violations(), [])
        page.goto(self.url("/community/"))
        self.assertFalse(page.get_by_role("link", name="Evening DBT").count())
        self.assertTrue(page.get_by_role("link", name="Morning skills").is_visible())

    def test_an_alumnus_keeps_the_alumni_space_and_loses_the_group_space(self):
        page = self.page
        discharge(self.pat)
        alumni = Space.objects.get(group=self.evening.group, kind=Space.Kind.ALUMNI)
        self.sign_in(self.pat_user)
        page.goto(self.url("/community/"))
        page.get_by_role("link", name="Evening DBT: alumni").click()
        page.get_by_role("button", name="I accept the rules").click()
        page.get_by_label("Your message").fill("Three months out and still using the skills.")
        page.get_by_role("button", name="Post").click()
        page.get_by_text("Three months out and still using the skills.").wait_for()
        self.assertIn(str(alumni.code), page.url)
        self.screenshot("community-alumni-space")
        self.assertEqual(self.serious_violations(), [])
        response = page.goto(self.url(f"/community/{self.evening.code}/"))
        assert response is not None
        self.assertEqual(response.status, 404)
        self.screenshot("community-alumnus-group-404")
