"""A Spanish-reading participant reads the names of the forms and the release choices in
Spanish (docs/i18n.md); the texts themselves stay in English."""

from django.urls import reverse

from openiop.consent.tests.helpers import release
from openiop.testing import BaseTestCase


class SpanishLabelsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.pat_user.language = "es"
        self.pat_user.save()
        self.login(self.pat_user)

    def test_the_consent_list_names_the_forms_in_spanish(self):
        page = self.client.get(reverse("consent:mine"))
        self.assertContains(page, "<h3>Consentimiento para el tratamiento</h3>")
        self.assertNotContains(page, "Consent to treatment")

    def test_a_release_shows_its_purpose_and_scope_in_spanish(self):
        release(self.pat)
        page = self.client.get(reverse("releases:mine"))
        self.assertContains(page, "<td>Tratamiento</td>")
        self.assertContains(page, "El expediente completo (con las notas)")

    def test_the_message_after_revoking_a_release_is_in_spanish(self):
        given = release(self.pat)
        page = self.client.post(reverse("releases:revoke", args=[given.code]), follow=True)
        self.assertContains(
            page, "Autorización revocada. Desde ahora no se envía nada más con ella."
        )
