"""Clinicians are told when a Spanish-speaking participant was given an instrument in English
(CLINICAL.md holds no official translation; docs/i18n.md)."""

from django.urls import reverse

from openiop.testing import BaseTestCase
from openiop.tests.authz import response_kwargs

NOTE = "The participant's language is Spanish: this questionnaire was given in English"


class InstrumentLanguageNoteTestCase(BaseTestCase):
    def response_page(self):
        self.login(self.alvarez)
        url = reverse("assessments:response", kwargs=response_kwargs(self, "own"))
        return self.client.get(url)

    def test_the_response_of_a_spanish_reader_says_it_was_given_in_english(self):
        self.pat_user.language = "es"
        self.pat_user.save()
        page = self.response_page()
        self.assertContains(page, NOTE)
        # The clinician's page stays in the clinician's language.
        self.assertContains(page, '<html lang="en">')

    def test_no_note_for_an_english_reader(self):
        self.assertNotContains(self.response_page(), "questionnaire was given in English")

    def test_the_chart_header_shows_the_participant_language(self):
        self.pat_user.language = "es"
        self.pat_user.save()
        self.login(self.alvarez)
        page = self.client.get(reverse("participants:chart", kwargs={"code": self.pat.code}))
        self.assertContains(page, "<dt>Language</dt><dd>Spanish")
        self.assertContains(page, "questionnaires in English")
