"""The participant's portal on a phone (390×844) in a real Chromium: every page passes axe,
reflows without sideways scrolling, survives text at 200 %, works from the keyboard, and the
video call controls stay on screen."""

from typing import Any, ClassVar

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
from openiop.portal.tests.pages import (
    LATER_TODAY,
    THURSDAY_NOON,
    participant_pages,
    participant_world,
)
from openiop.telehealth.models import Attendance
from openiop.telehealth.tests.fakes import FakeJanus
from openiop.telehealth.tests.helpers import waiting_attendance
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Whether the page scrolls sideways (content wider than the screen): a phone user would lose it.
SIDEWAYS = "document.scrollingElement.scrollWidth > window.innerWidth + 1"
# Every aria-describedby / aria-labelledby that names an id missing from the page.
DANGLING = """() => [...document.querySelectorAll('[aria-describedby],[aria-labelledby]')]
  .flatMap(el => ['aria-describedby', 'aria-labelledby'].flatMap(a =>
     (el.getAttribute(a) || '').split(/\\s+/).filter(Boolean)
       .filter(id => !document.getElementById(id)).map(id => el.tagName + ' ' + a + '=' + id)))"""


def serious_with_targets(page: Any) -> list[str]:
    """axe-core's serious and critical findings, each with the elements it found them on."""
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']}: {[node['target'] for node in v['nodes']]}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


class PortalPhoneTestCase(BrowserTestCase):
    viewport: ClassVar[dict[str, int]] = PHONE

    def setUp(self):
        self.enterContext(time_machine.travel(THURSDAY_NOON, tick=True))
        super().setUp()
        FakeJanus.reset()
        self.world = participant_world(self)
        # A staff read, so "Who has seen my record" has a table.
        self.staff_client(self.alvarez).get(reverse("participants:chart", args=[self.pat.code]))
        self.page.set_default_timeout(20_000)
        self.open_as(self.pat_user)

    def staff_client(self, user: Any) -> Client:
        client = Client()
        client.force_login(user)
        session = client.session
        session[MFA_VERIFIED_SESSION_KEY] = True
        session.save()
        return client

    def open_as(self, user: Any) -> None:
        """Signed in without the login pages (tested in accounts/tests)."""
        client = Client()
        client.force_login(user)
        self.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": self.live_server_url,
                }
            ]
        )

    def check_page(self, name: str, path: str) -> list[str]:
        """Problems on one page: axe's serious findings, dangling references, sideways scroll."""
        page = self.page
        response = page.goto(self.url(path))
        assert response is not None
        problems = [f"HTTP {response.status}"] if response.status != 200 else []
        page.wait_for_load_state("load")
        problems += serious_with_targets(page)
        problems += page.evaluate(DANGLING)
        if page.evaluate(SIDEWAYS):
            problems.append("scrolls sideways at 390 px")
        self.screenshot(f"portal-{name}")
        return problems

    def admitted_to_the_room(self) -> str:
        session = self.world["session"]
        self.staff_client(self.alvarez).get(reverse("telehealth:room", args=[session.code]))
        attendance = waiting_attendance(session, self.pat)
        attendance.state = Attendance.State.ADMITTED
        attendance.admitted_at = THURSDAY_NOON
        attendance.save()
        return reverse("telehealth:room", args=[session.code])

    def test_every_participant_page_passes_axe_on_a_phone(self):
        pages = participant_pages(self.world)
        problems = {name: self.check_page(name, path) for name, path in pages.items()}
        problems["video-room"] = self.check_page("video-room", self.admitted_to_the_room())
        self.assertEqual({name: found for name, found in problems.items() if found}, {})

    def test_today_shows_the_next_session_its_join_button_and_what_is_due(self):
        page = self.page
        page.goto(self.url("/"))
        card = page.locator("section", has=page.get_by_role("heading", name="Your next session"))
        card.get_by_role("strong").get_by_text(LATER_TODAY).wait_for()
        card.get_by_text("You will confirm where you are before you join").wait_for()
        page.get_by_role("link", name="PHQ-9").wait_for()
        join = card.get_by_role("link", name="Join")
        self.assertIn(LATER_TODAY, join.inner_text())
        join.click()
        page.wait_for_url(f"**/video/{self.world['session'].code}/join/")

    def test_crisis_help_is_the_first_tab_after_the_skip_link_and_in_the_header(self):
        page = self.page
        page.goto(self.url(reverse("scheduling:my_week")))
        page.keyboard.press("Tab")
        self.assertEqual(
            page.evaluate("document.activeElement.textContent.trim()"), "Skip to main content"
        )
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate("document.activeElement.textContent.trim()"), "Crisis help")
        box = page.get_by_role("link", name="Crisis help").bounding_box()
        assert box is not None
        self.assertLess(box["y"] + box["height"], PHONE["height"] / 4)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Help right now").wait_for()
        self.assertEqual(page.get_by_role("link", name="Call 988").get_attribute("href"), "tel:988")

    def test_text_at_200_percent_loses_nothing(self):
        page = self.page
        for name in ("today", "my-week", "record-access", "settings", "crisis"):
            with self.subTest(page=name):
                page.goto(self.url(participant_pages(self.world)[name]))
                page.evaluate("document.documentElement.style.fontSize = '200%'")
                self.assertFalse(page.evaluate(SIDEWAYS))
                # Nothing is cut off: no element hides text that overflows it.
                clipped = page.evaluate(
                    """() => [...document.querySelectorAll('main *')].filter(el => {
                        const s = getComputedStyle(el);
                        return (s.overflow === 'hidden' || s.overflowY === 'hidden')
                          && el.scrollHeight > el.clientHeight + 1
                          && !el.classList.contains('visually-hidden')
                          && el.tagName !== 'THEAD';
                    }).map(el => el.tagName + '.' + el.className)"""
                )
                self.assertEqual(clipped, [])
        self.screenshot("portal-today-200-percent")

    def test_the_video_controls_are_on_screen_on_a_phone(self):
        page = self.page
        page.goto(self.url(self.admitted_to_the_room()))
        controls = page.get_by_role("toolbar", name="Call controls")
        controls.wait_for()
        # Four others in the group, as telehealth_room.js adds them when their video arrives.
        page.evaluate(
            """() => { for (let n = 1; n <= 4; n++) {
                const tile = document.createElement('figure');
                tile.className = 'video-tile';
                tile.innerHTML = '<video muted playsinline></video>'
                  + '<figcaption>Person ' + n + '</figcaption>';
                document.getElementById('remote-grid').appendChild(tile);
            } }"""
        )
        box = controls.bounding_box()
        assert box is not None
        self.assertGreaterEqual(box["y"], 0)
        self.assertLessEqual(box["y"] + box["height"], PHONE["height"])
        for name in ("Mute", "Leave", "I need help"):
            button = page.get_by_role("button", name=name)
            self.assertTrue(button.is_visible())
            button_box = button.bounding_box()
            assert button_box is not None
            self.assertLessEqual(button_box["y"] + button_box["height"], PHONE["height"])
        self.screenshot("portal-video-room-controls")
