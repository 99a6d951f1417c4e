"""Every aria-describedby on a participant's pages names an element that is on the page.

A reference to a missing id is silently dropped by screen readers: the help text or error it
should announce is never heard (forms built field by field lost Django's help-text ids).
"""

from html.parser import HTMLParser

import time_machine
from django.urls import reverse

from openiop.portal.tests.pages import (
    INVALID_POSTS,
    THURSDAY_NOON,
    participant_pages,
    participant_world,
)
from openiop.testing import BaseTestCase


class IdsAndReferences(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.references: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for attribute in ("aria-describedby", "aria-labelledby", "aria-controls"):
            for ref in (values.get(attribute) or "").split():
                self.references.append((f"<{tag} {attribute}={ref!r}>", ref))


def dangling_references(html: str) -> list[str]:
    parser = IdsAndReferences()
    parser.feed(html)
    return [where for where, ref in parser.references if ref not in parser.ids]


class DescribedByTestCase(BaseTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(THURSDAY_NOON, tick=False))
        super().setUp()
        self.world = participant_world(self)
        self.login(self.pat_user, mfa=False)

    def test_every_reference_on_every_participant_page_names_an_element_there(self):
        for name, path in participant_pages(self.world).items():
            with self.subTest(page=name):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200, path)
                self.assertEqual(dangling_references(response.content.decode()), [])

    def test_every_reference_on_every_refused_form_names_an_element_there(self):
        pages = participant_pages(self.world)
        for name, data in INVALID_POSTS.items():
            with self.subTest(form=name):
                response = self.client.post(pages[name], data)
                self.assertIn(response.status_code, (200, 400, 403, 409), name)
                self.assertEqual(dangling_references(response.content.decode()), [])

    def test_the_checker_finds_a_dangling_reference(self):
        html = '<input aria-describedby="id_x_helptext"><p id="other">'
        self.assertEqual(dangling_references(html), ["<input aria-describedby='id_x_helptext'>"])
        self.assertEqual(reverse("home"), "/")
