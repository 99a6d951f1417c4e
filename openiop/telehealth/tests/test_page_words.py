"""Every word a video page's script looks up is given by the page that loads the script.

The scripts fall back to English, so a missing `data-` attribute would show English to a
Spanish reader without any error (docs/i18n.md).
"""

import re
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

STATIC = Path(settings.BASE_DIR) / "static" / "js"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "telehealth"
# Script -> the templates that load it and give its words.
PAGES = {
    "telehealth_prejoin.js": ["join.html"],
    "telehealth_room.js": ["room.html"],
    "telehealth_session.js": ["room.html"],
    "telehealth_waiting.js": ["waiting.html", "guest_waiting.html"],
}


def looked_up(script: str) -> set[str]:
    return set(re.findall(r'\bword\("(\w+)"', (STATIC / script).read_text(encoding="utf-8")))


def given(template: str) -> set[str]:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    names = re.findall(r'\sdata-([a-z-]+)="\{% translate ', text)
    return {re.sub(r"-([a-z])", lambda m: m.group(1).upper(), name) for name in names}


class PageWordsTestCase(SimpleTestCase):
    def test_each_page_gives_every_word_its_scripts_look_up(self):
        for script, templates in PAGES.items():
            words = looked_up(script)
            self.assertTrue(words, script)
            for template in templates:
                with self.subTest(script=script, template=template):
                    self.assertLessEqual(words, given(template))
