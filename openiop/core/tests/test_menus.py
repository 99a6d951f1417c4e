"""Each role's menu holds only pages that role can open (openiop/core/menus.py).

Checked two ways: every entry is opened as a persona of the role (no 403, no 404, ending on a
200), and every entry agrees with the authorisation matrix; pages the matrix closes to a role
are never in its menu.
"""

import re
from datetime import UTC, datetime
from typing import ClassVar

import time_machine
from django.urls import reverse

from openiop.accounts.models import User
from openiop.core.menus import MENUS, items_for, menu_for
from openiop.participants.models import GuardianLink
from openiop.testing import BaseTestCase
from openiop.tests.authz import EXEMPT_PREFIXES
from openiop.tests.test_authz_matrix import MATRIX

NOW = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav is not None, "no main navigation"
    return re.findall(r'<a href="([^"]+)"', nav.group(1))


@time_machine.travel(NOW, tick=True)
class MenuTestCase(BaseTestCase):
    guardian: ClassVar[User]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.guardian = User.objects.create_user(
            "morgan@example.org",
            None,
            given_name="Morgan",
            family_name="Guardian",
            role=User.Role.GUARDIAN,
        )
        GuardianLink.objects.create(participant=cls.pat, user=cls.guardian, relationship="Mother")

    def personas(self) -> dict[str, User]:
        """One persona or more of every role (key: the matrix's name for them)."""
        return {**self.everyone, "guardian": self.guardian}

    def test_every_role_has_a_menu(self):
        self.assertEqual(set(MENUS), set(User.Role.values))

    def test_every_entry_opens_for_its_role(self):
        for name, user in self.personas().items():
            self.login(user)
            for item in items_for(user):
                with self.subTest(persona=name, page=item.url_name):
                    response = self.client.get(reverse(item.url_name), follow=True)
                    statuses = [status for _url, status in response.redirect_chain]
                    self.assertTrue(all(status == 302 for status in statuses), statuses)
                    self.assertEqual(response.status_code, 200)

    def test_every_entry_agrees_with_the_authorisation_matrix(self):
        for name, user in self.everyone.items():
            for item in items_for(user):
                if item.url_name.startswith(EXEMPT_PREFIXES):
                    continue
                with self.subTest(persona=name, page=item.url_name):
                    entry = MATRIX[item.url_name]
                    self.assertEqual(entry.method, "GET")
                    self.assertIsNone(entry.kwargs)
                    self.assertIn(entry.expect[name], (200, 302))

    def test_pages_a_role_cannot_open_are_not_in_its_menu(self):
        for name, user in self.everyone.items():
            menu = {item.url_name for item in items_for(user)}
            closed = {
                url_name
                for url_name, entry in MATRIX.items()
                if entry.kwargs is None and entry.expect.get(name) in (403, 404)
            }
            with self.subTest(persona=name):
                self.assertEqual(menu & closed, set())

    def test_a_privacy_officer_finds_the_emergency_access_report(self):
        self.assertNotIn(
            "participants:emergency_access_report",
            [item.url_name for item in items_for(self.admin)],
        )
        self.admin.privacy_officer = True
        self.admin.save(update_fields=["privacy_officer"])
        self.login(self.admin)
        page = self.client.get(reverse("home"))
        self.assertIn(reverse("participants:emergency_access_report"), nav_links(page.text))
        self.assertEqual(
            self.client.get(reverse("participants:emergency_access_report")).status_code, 200
        )

    def test_each_role_sees_its_own_menu(self):
        caseload, intake = reverse("participants:caseload"), reverse("intake:referrals")
        cases = {
            # Clinicians: no intake, no program figures.
            "alvarez": ({caseload}, {intake, reverse("outcomes:dashboards")}),
            # The administrator: accounts and figures, no charts.
            "admin": (
                {reverse("admin:accounts_user_changelist"), reverse("outcomes:dashboards")},
                {caseload, intake, reverse("safety:alerts"), reverse("scheduling:index")},
            ),
            "ivy": (
                {intake, caseload, reverse("access_requests:list")},
                {reverse("safety:alerts")},
            ),
            "dana": (
                {caseload, intake, reverse("outcomes:dashboards"), reverse("safety:boards")},
                set(),
            ),
            "pat": ({reverse("scheduling:my_week")}, {caseload}),
        }
        for name, (present, absent) in cases.items():
            with self.subTest(persona=name):
                self.login(self.everyone[name])
                links = set(nav_links(self.client.get(reverse("home"), follow=True).text))
                self.assertLessEqual(present, links)
                self.assertEqual(links & absent, set())

    def test_the_page_in_the_menu_is_marked_current(self):
        self.login(self.dana)
        page = self.client.get(reverse("participants:caseload"))
        self.assertContains(
            page, f'<a href="{reverse("participants:caseload")}" aria-current="page">', count=1
        )
        # A chart belongs to the caseload's section; the menu says so without claiming it.
        chart = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(
            chart, f'<a href="{reverse("participants:caseload")}" aria-current="true">', count=1
        )
        self.assertNotContains(chart, 'aria-current="page"')

    def test_the_menu_costs_no_query(self):
        with self.assertNumQueries(0):
            menu_for(self.dana, "participants:caseload")
