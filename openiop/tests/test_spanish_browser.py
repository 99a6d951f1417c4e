"""The demo's Spanish-speaking participant on a phone (390×844): Today, My week, a
questionnaire's shell and the crisis resources in Spanish, and the switch back to English,
without JavaScript's help (docs/i18n.md). Screenshots: test-artifacts/spanish-*.png."""

import re

import pytest

from openiop.accounts.models import User
from openiop.assessments import demo as assessment_demo
from openiop.core import demo
from openiop.scheduling import demo as schedule_demo
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


class SpanishParticipantTestCase(BrowserTestCase):
    viewport = PHONE

    def test_the_spanish_speaking_demo_participant_reads_their_portal_in_spanish(self):
        program = demo.load(participants=30)
        schedule_demo.load(program)
        assessment_demo.load(program)
        marisol = User.objects.get(email=demo.participant_email(demo.SPANISH_SPEAKER))
        self.assertEqual((marisol.given_name, marisol.language), ("Marisol", "es"))

        page = self.page
        page.set_default_timeout(20_000)
        self.sign_in(marisol, demo.DEMO_PASSWORD)

        # Today (the participant's home page).
        page.get_by_role("heading", name=re.compile("^Le damos la bienvenida"), level=1).wait_for()
        self.assertEqual(page.locator("html").get_attribute("lang"), "es")
        self.assertTrue(page.get_by_role("button", name="English").is_visible())
        self.assertIn("marque el 2 para español", page.locator("footer").inner_text())
        self.assertEqual(serious_violations(page), [])
        self.screenshot("spanish-today")

        # My week: headings, table and dates in Spanish.
        navigation = page.get_by_role("navigation", name="Principal")
        navigation.get_by_role("link", name="Mi semana").click()
        page.get_by_role("heading", name="Mi semana", level=1).wait_for()
        body = page.locator("main").inner_text()
        self.assertIn("Semana del", body)
        self.assertIn("Sus sesiones del", body)
        self.assertNotIn("Scheduled", body)
        self.assertEqual(serious_violations(page), [])
        self.screenshot("spanish-my-week")

        # A questionnaire: the page's own words in Spanish, the instrument in English, and a
        # note saying why.
        page.get_by_role("link", name="Cuestionarios").first.click()
        page.get_by_role("link", name=re.compile("PHQ-9")).click()
        note = page.locator("#language-note")
        note.wait_for()
        self.assertIn("está en inglés", note.inner_text())
        page.get_by_text(re.compile(r"0 de 9 preguntas respondidas")).wait_for()
        self.assertTrue(page.get_by_role("button", name="Enviar", exact=True).is_visible())
        self.assertTrue(page.get_by_role("button", name="Guardar y terminar después").is_visible())
        self.assertEqual(page.locator("#questionnaire [lang=en]").count(), 1)
        page.get_by_role("group", name=re.compile(r"^1\. ")).get_by_label(
            "Not at all", exact=True
        ).check()
        page.get_by_text("Guardado.").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("spanish-questionnaire")

        # Crisis resources: 988 by call, text and chat, and "press 2 for Spanish".
        page.get_by_role("link", name="Mi plan de seguridad").click()
        page.get_by_role("heading", name="Si está en crisis ahora").wait_for()
        crisis = page.locator(".plan-crisis").inner_text()
        self.assertIn("marque el 2", crisis)
        for link in ('a[href="tel:988"]', 'a[href="sms:988"]', 'a[href="https://988lifeline.org"]'):
            self.assertTrue(page.locator(f".plan-crisis {link}").is_visible(), link)
        self.assertEqual(serious_violations(page), [])
        self.screenshot("spanish-crisis-resources")

        # The switch is a plain form: back to English, and the choice is kept.
        page.get_by_role("button", name="English").click()
        page.get_by_role("heading", name="My safety plan", level=1).wait_for()
        marisol.refresh_from_db()
        self.assertEqual(marisol.language, "en")
