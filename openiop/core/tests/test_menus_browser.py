"""Each role signs in through the real pages and lands on its own home page with its own menu
(screenshots test-artifacts/role-home-<role>.png); a chart page carries the chart banner
(test-artifacts/chart-banner.png). axe-core finds no serious or critical issue on any."""

import pytest
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.menus import items_for
from openiop.participants.models import GuardianLink
from openiop.testing import BrowserTestCase, make_user

pytestmark = pytest.mark.browser


class RoleHomesInTheBrowser(BrowserTestCase):
    def switch_to(self, user: User) -> None:
        self.context.close()
        self.context = self.browser.new_context(viewport=self.viewport)  # type: ignore[arg-type]
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.sign_in(user)

    def menu(self) -> list[str]:
        nav = self.page.get_by_role("navigation", name="Main")
        return [link.get_attribute("href") or "" for link in nav.get_by_role("link").all()]

    def test_each_role_lands_on_its_home_with_its_own_menu(self):
        guardian = make_user("morgan@example.org", "Morgan", "Guardian", User.Role.GUARDIAN)
        GuardianLink.objects.create(participant=self.pat, user=guardian, relationship="Mother")
        people = {
            "program_director": self.dana,
            "clinician": self.alvarez,
            "intake_coordinator": self.ivy,
            "administrator": self.admin,
            "participant": self.pat_user,
            "guardian": guardian,
        }
        for role, user in people.items():
            with self.subTest(role=role):
                self.switch_to(user)
                self.page.get_by_role("navigation", name="Main").wait_for()
                expected = [reverse(item.url_name) for item in items_for(user)]
                self.assertEqual(self.menu(), expected)
                self.assertEqual(self.serious_violations(), [])
                self.screenshot(f"role-home-{role}")

    def test_a_chart_page_names_the_person_in_its_banner(self):
        self.switch_to(self.dana)
        self.page.goto(self.url(reverse("participants:chart", args=[self.pat.code])))
        banner = self.page.get_by_role("region", name="Chart: Patricia (Pat) Lindqvist")
        banner.wait_for()
        self.assertIn("Rosa Alvarez, PsyD", banner.inner_text())
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("chart-banner")
