from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.testing import BaseTestCase


class AdminTestCase(BaseTestCase):
    def test_an_administrator_changes_a_role_and_it_is_audited(self):
        self.login(self.admin)
        url = reverse("admin:accounts_user_change", args=[self.chen.pk])
        self.assertEqual(self.client.get(url).status_code, 200)
        response = self.client.post(
            url,
            {
                "email": self.chen.email,
                "given_name": "Wei",
                "family_name": "Chen",
                "role": "program_director",
                "discipline": "psychiatrist",
                "credentials": "MD",
                "timezone": "America/New_York",
                "is_active": "on",
                "licenses-TOTAL_FORMS": "0",
                "licenses-INITIAL_FORMS": "0",
            },
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.chen.refresh_from_db()
        self.assertEqual(self.chen.role, "program_director")
        event = AuditEvent.objects.get(event_type="accounts.user_changed")
        self.assertEqual(event.details, {"fields": ["role"]})

    def test_it_refuses_a_non_ascii_look_alike_address(self):
        self.login(self.admin)
        response = self.client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "аlvarez@example.org",  # Cyrillic "а"
                "given_name": "Fake",
                "family_name": "Alvarez",
                "role": "clinician",
                "timezone": "America/New_York",
                "is_active": "on",
                "licenses-TOTAL_FORMS": "0",
                "licenses-INITIAL_FORMS": "0",
            },
        )
        self.assertContains(response, "Enter a valid email address")
        self.assertFalse(User.objects.filter(given_name="Fake").exists())

    def test_clinicians_cannot_open_the_admin(self):
        self.login(self.alvarez)
        response = self.client.get("/admin/", follow=True)
        self.assertEqual(response.status_code, 403)

    def test_the_authenticator_page_hides_the_totp_secret(self):
        from allauth.mfa.models import Authenticator

        from openiop.testing import totp_secret_for

        self.login(self.admin)
        authenticator = Authenticator.objects.get(user=self.alvarez, type=Authenticator.Type.TOTP)
        url = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, totp_secret_for(self.alvarez))
        self.assertNotContains(response, "secret")


class PrivacyOfficerTestCase(BaseTestCase):
    def change(self, user: User, **fields: str):
        data = {
            "email": user.email,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "role": user.role,
            "discipline": user.discipline,
            "credentials": user.credentials,
            "timezone": user.timezone,
            "is_active": "on",
            "licenses-TOTAL_FORMS": "0",
            "licenses-INITIAL_FORMS": "0",
            **fields,
        }
        return self.client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)

    def test_an_administrator_names_the_privacy_officer_and_it_is_audited(self):
        self.login(self.admin)
        response = self.change(self.ivy, privacy_officer="on")
        self.assertEqual(response.status_code, 302)
        self.ivy.refresh_from_db()
        self.assertTrue(self.ivy.privacy_officer)
        event = AuditEvent.objects.get(event_type="accounts.user_changed")
        self.assertEqual(event.details, {"fields": ["privacy_officer"]})

    def test_a_participant_cannot_be_the_privacy_officer(self):
        self.login(self.admin)
        response = self.change(self.pat_user, privacy_officer="on")
        self.assertContains(response, "A participant cannot be the privacy officer.")
        self.pat_user.refresh_from_db()
        self.assertFalse(self.pat_user.privacy_officer)
