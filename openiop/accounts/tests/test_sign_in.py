import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.testing import PASSWORD, BaseTestCase, current_totp


class PasswordAndTotpTestCase(BaseTestCase):
    def sign_in_with_password(self, email: str, password: str = PASSWORD):
        return self.client.post(reverse("account_login"), {"login": email, "password": password})

    def test_it_asks_staff_for_a_code_after_the_password(self):
        response = self.sign_in_with_password("alvarez@example.org")
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)
        # The password alone opens nothing.
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 302)

        response = self.client.post(
            reverse("mfa_authenticate"), {"code": current_totp(self.alvarez)}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 200)
        types = list(
            AuditEvent.objects.filter(actor=self.alvarez).values_list("event_type", flat=True)
        )
        self.assertIn("mfa.verified", types)
        self.assertIn("auth.login", types)

    def test_it_refuses_a_wrong_code(self):
        self.sign_in_with_password("alvarez@example.org")
        response = self.client.post(reverse("mfa_authenticate"), {"code": "000000"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(event_type="mfa.failed").exists())

    def test_it_folds_look_alike_and_mixed_case_emails_on_sign_in(self):
        response = self.sign_in_with_password("ＡＬＶＡＲＥＺ@Example.ORG")
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)

    def test_it_signs_in_participants_without_a_code(self):
        response = self.sign_in_with_password("pat@example.org")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)

    def test_it_records_a_failed_sign_in_without_the_typed_address(self):
        self.sign_in_with_password("alvarez@example.org", "wrong password!")
        event = AuditEvent.objects.get(event_type="auth.login_failed")
        self.assertEqual(event.outcome, "failure")
        self.assertNotIn("alvarez", str(event.details))


class StaffMfaEnforcementTestCase(BaseTestCase):
    def test_staff_without_an_authenticator_can_only_enrol(self):
        Authenticator.objects.filter(user=self.chen).delete()
        self.login(self.chen, mfa=False)
        for url in (
            reverse("home"),
            reverse("participants:caseload"),
            reverse("participants:chart", args=[self.quinn.code]),
            "/admin/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertRedirects(
                    response, reverse("mfa_activate_totp"), fetch_redirect_response=False
                )

    def test_staff_with_an_authenticator_must_prove_it_in_this_session(self):
        self.login(self.alvarez, mfa=False)
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("mfa_reauthenticate")))
        self.assertFalse(AuditEvent.objects.filter(event_type="participant.chart_viewed").exists())

    def test_staff_cannot_remove_their_authenticator(self):
        self.login(self.alvarez)
        response = self.client.post(reverse("mfa_deactivate_totp"))
        self.assertTrue(Authenticator.objects.filter(user=self.alvarez, type="totp").exists())
        self.assertNotEqual(response.status_code, 500)

    def test_participants_need_no_second_factor(self):
        self.login(self.pat_user, mfa=False)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)

    def test_admin_site_uses_the_same_sign_in(self):
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        response = self.client.get(response["Location"])
        self.assertRedirects(
            response, f"{reverse('account_login')}?next=/admin/", fetch_redirect_response=False
        )


@override_settings(LOGIN_FAILURE_LIMIT=5)
class LockoutTestCase(BaseTestCase):
    def test_it_locks_an_account_after_repeated_failures(self):
        for _ in range(5):
            self.client.post(
                reverse("account_login"),
                {"login": "alvarez@example.org", "password": "nope nope nope"},
            )
        # Even the right password is refused while locked.
        response = self.client.post(
            reverse("account_login"), {"login": "alvarez@example.org", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Too many failed login attempts")
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 302)

    def test_it_locks_the_code_step_after_repeated_wrong_codes(self):
        self.client.post(
            reverse("account_login"), {"login": "alvarez@example.org", "password": PASSWORD}
        )
        for _ in range(5):
            self.client.post(reverse("mfa_authenticate"), {"code": "000000"})
        response = self.client.post(
            reverse("mfa_authenticate"), {"code": current_totp(self.alvarez)}
        )
        self.assertContains(response, "Too many failed login attempts")
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 302)

    def test_it_locks_admin_sign_in_too(self):
        for _ in range(5):
            self.client.post(
                reverse("account_login") + "?next=/admin/",
                {"login": "ada@example.org", "password": "nope nope nope"},
            )
        # The admin's own login form is not a way around the lockout: it redirects here.
        response = self.client.post(
            "/admin/login/", {"username": "ada@example.org", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("account_login")))
        response = self.client.post(
            reverse("account_login"), {"login": "ada@example.org", "password": PASSWORD}
        )
        self.assertContains(response, "Too many failed login attempts")


class SessionTimeoutTestCase(BaseTestCase):
    def test_staff_session_ends_after_fifteen_idle_minutes(self):
        with time_machine.travel("2026-11-27 10:00Z", tick=False) as traveller:
            self.login(self.alvarez)
            self.client.get(reverse("participants:caseload"))
            traveller.shift(14 * 60)
            self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 200)
            traveller.shift(15 * 60 + 1)
            response = self.client.get(reverse("participants:caseload"))
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith(reverse("account_login")))
        event = AuditEvent.objects.get(event_type="auth.session_expired")
        self.assertEqual(event.details, {"reason": "idle"})

    def test_a_scripts_request_after_the_timeout_is_told_in_json(self):
        # An autosave cannot follow a redirect to the sign-in page: it gets a 401 it can read,
        # keeps its text and asks the person to sign in again.
        with time_machine.travel("2026-11-27 10:00Z", tick=False) as traveller:
            self.login(self.alvarez)
            self.client.get(reverse("participants:caseload"))
            traveller.shift(15 * 60 + 1)
            response = self.client.get(
                reverse("participants:caseload"), headers={"Accept": "application/json"}
            )
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["error"], "signed_out")
        self.assertEqual(response.json()["login_url"], reverse("account_login"))
        self.assertTrue(AuditEvent.objects.filter(event_type="auth.session_expired").exists())

    def test_participant_session_lasts_thirty_idle_minutes(self):
        with time_machine.travel("2026-11-27 10:00Z", tick=False) as traveller:
            self.login(self.pat_user)
            self.client.get(reverse("home"))
            traveller.shift(29 * 60)
            self.assertEqual(self.client.get(reverse("home")).status_code, 200)
            traveller.shift(30 * 60 + 1)
            self.assertEqual(self.client.get(reverse("home")).status_code, 302)

    def test_an_active_session_still_ends_at_the_absolute_cap(self):
        with time_machine.travel("2026-11-27 08:00Z", tick=False) as traveller:
            self.login(self.pat_user)
            for _ in range(12 * 6 + 1):
                traveller.shift(10 * 60)
                response = self.client.get(reverse("home"))
            self.assertEqual(response.status_code, 302)
        event = AuditEvent.objects.get(event_type="auth.session_expired")
        self.assertEqual(event.details, {"reason": "absolute_cap"})

    def test_pages_seen_while_signed_in_are_not_stored(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertEqual(response["Cache-Control"], "no-store")


class PasswordResetTestCase(BaseTestCase):
    def test_it_sends_the_link_only_to_the_stored_address(self):
        self.client.post(reverse("account_reset_password"), {"email": "ＡＬＶＡＲＥＺ@example.org"})
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["alvarez@example.org"])
        self.assertNotIn("Lindqvist", mail.outbox[0].body)

    def test_a_dotless_i_look_alike_gets_no_link(self):
        User.objects.create_user(
            "mike@example.org",
            PASSWORD,
            given_name="Mike",
            family_name="Test",
            role=User.Role.PARTICIPANT,
        )
        self.client.post(reverse("account_reset_password"), {"email": "mıke@example.org"})
        self.assertFalse(any("mike@example.org" in m.to for m in mail.outbox))
        self.assertFalse(
            any(
                "password_reset_key" in m.body or "/password/reset/key/" in m.body
                for m in mail.outbox
            )
        )

    def test_a_reset_password_still_needs_the_second_factor(self):
        self.client.post(reverse("account_reset_password"), {"email": "alvarez@example.org"})
        link = next(
            line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line
        ).strip()
        path = link[link.index("/accounts/") :]
        response = self.client.get(path, follow=True)
        form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
        new_password = "a brand new passphrase 42"
        response = self.client.post(
            form_url, {"password1": new_password, "password2": new_password}
        )
        self.assertEqual(response.status_code, 302)
        # Not signed in by the reset...
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 302)
        # ...and signing in with the new password still asks for the code.
        response = self.client.post(
            reverse("account_login"), {"login": "alvarez@example.org", "password": new_password}
        )
        self.assertRedirects(response, reverse("mfa_authenticate"), fetch_redirect_response=False)


class AccountIdentityTestCase(BaseTestCase):
    def test_it_stores_emails_in_one_folded_form(self):
        user = User.objects.create_user(
            "Ｎｅｗ.Person@Example.org", PASSWORD, given_name="N", family_name="P"
        )
        self.assertEqual(user.email, "new.person@example.org")

    def test_it_refuses_a_second_account_for_the_same_folded_address(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            User.objects.create_user(
                "ＰＡＴ@example.org", PASSWORD, given_name="P", family_name="Q"
            )
