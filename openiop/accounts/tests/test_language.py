"""The language a person reads OpenIOP in: stored on their account, chosen with the header's
switch (audited), and followed by their pages and their reminders (docs/i18n.md)."""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from openiop.accounts import languages
from openiop.audit.models import AuditEvent
from openiop.testing import BaseTestCase


class LanguageTestCase(BaseTestCase):
    def choose(self, language: str, next_url: str = "/"):
        return self.client.post(
            reverse("accounts:set_language"), {"language": language, "next": next_url}
        )

    def test_a_participant_reads_english_until_they_choose(self):
        self.login(self.pat_user)
        page = self.client.get(reverse("scheduling:my_week")).content.decode()
        self.assertIn('<html lang="en">', page)
        self.assertIn("<h1>My week</h1>", page)
        self.assertIn('lang="es" class="link-button">Español</button>', page)

    def test_the_switch_stores_the_choice_on_the_account_and_audits_it(self):
        self.login(self.pat_user)
        response = self.choose("es", reverse("scheduling:my_week"))
        self.assertRedirects(response, reverse("scheduling:my_week"), fetch_redirect_response=False)
        self.pat_user.refresh_from_db()
        self.assertEqual(self.pat_user.language, "es")
        event = AuditEvent.objects.get(event_type="accounts.language_chosen")
        self.assertEqual(event.actor, self.pat_user)
        self.assertEqual(event.details, {"from": "en", "to": "es"})
        page = self.client.get(reverse("scheduling:my_week")).content.decode()
        self.assertIn('<html lang="es">', page)
        self.assertIn("<h1>Mi semana</h1>", page)
        self.assertIn('lang="en" class="link-button">English</button>', page)

    def test_the_account_wins_over_the_browser_and_the_cookie(self):
        self.pat_user.language = "es"
        self.pat_user.save()
        self.login(self.pat_user)
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = self.client.get(reverse("home"), headers={"accept-language": "en-US"})
        self.assertContains(page, "Le damos la bienvenida")

    def test_choosing_the_same_language_again_writes_nothing(self):
        self.login(self.pat_user)
        self.choose("en")
        self.assertFalse(AuditEvent.objects.filter(event_type="accounts.language_chosen").exists())

    def test_an_unknown_language_or_a_foreign_next_address_changes_nothing_harmful(self):
        self.login(self.pat_user)
        response = self.choose("fr", "https://evil.example/")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.pat_user.refresh_from_db()
        self.assertEqual(self.pat_user.language, "en")

    def test_before_sign_in_the_browser_then_the_switch_choose(self):
        login = reverse("account_login")
        page = self.client.get(login, headers={"accept-language": "es-MX,es;q=0.9"})
        self.assertContains(page, "Su programa crea su cuenta")
        self.client.get(login, headers={"accept-language": "en"})
        response = self.choose("es", login)
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "es")
        self.assertContains(self.client.get(login), "Su programa crea su cuenta")
        self.assertFalse(AuditEvent.objects.filter(event_type="accounts.language_chosen").exists())

    def test_staff_pages_have_no_switch_and_stay_in_the_staff_language(self):
        self.login(self.alvarez)
        page = self.client.get(reverse("participants:caseload")).content.decode()
        self.assertNotIn("language-switch", page)
        self.assertIn('<html lang="en">', page)

    def test_the_get_method_is_refused(self):
        self.login(self.pat_user)
        self.assertEqual(self.client.get(reverse("accounts:set_language")).status_code, 405)

    def test_for_user_falls_back_to_the_default(self):
        self.assertEqual(languages.for_user(None), "en")
        self.pat_user.language = "es"
        self.assertEqual(languages.for_user(self.pat_user), "es")

    def test_dates_follow_the_active_language(self):
        from openiop.lib.timefmt import format_datetime

        moment = datetime(2026, 3, 9, 22, 0, tzinfo=UTC)
        self.assertEqual(format_datetime(moment, "America/New_York"), "Mon 9 Mar 2026, 6:00 PM EDT")
        with translation.override("es"):
            self.assertEqual(
                format_datetime(moment, "America/New_York", "longdate"), "lunes 9 de marzo de 2026"
            )
            short = format_datetime(moment, "America/New_York", "short")
            self.assertEqual(short, "lun 9 mar, 6:00 PM EDT")
