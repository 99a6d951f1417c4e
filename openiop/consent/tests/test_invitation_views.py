"""The invitation pages: staff send, resend and revoke from the chart; the link's pages
explain every way a link can fail, without saying whose invitation it was."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.consent.actions import invitations as actions
from openiop.consent.invitations import Invitation
from openiop.consent.tests.invitation_helpers import new_chart, token_in_mail
from openiop.consent.views.invitations import TOKEN_SESSION_KEY
from openiop.testing import BaseTestCase

NEW_PASSWORD = "tangerine lighthouse 42"


class StaffInvitationPagesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.robin = new_chart(self.program)
        self.url = reverse("consent:portal_access", args=[self.robin.code])

    def test_the_chart_shows_not_invited_and_links_to_portal_access(self):
        self.login(self.ivy)
        response = self.client.get(self.robin.get_absolute_url())
        self.assertContains(response, "Not invited.")
        self.assertContains(response, self.url)

    def test_a_coordinator_sends_and_sees_invited_with_expiry(self):
        self.login(self.ivy)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("consent:invite", args=[self.robin.code]))
        self.assertRedirects(response, self.url)
        self.assertEqual(len(mail.outbox), 1)
        page = self.client.get(self.url)
        self.assertContains(page, "Invited.")
        self.assertContains(page, "the link expires")
        self.assertContains(page, "Resend the link")
        self.assertContains(self.client.get(self.robin.get_absolute_url()), "Invited.")

    def test_an_address_in_use_gets_a_clear_error_and_nothing_is_sent(self):
        self.robin.email = "pat@example.org"
        self.robin.save(update_fields=["email"])
        self.login(self.ivy)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("consent:invite", args=[self.robin.code]), follow=True
            )
        self.assertContains(response, "already used by another account")
        self.assertEqual(mail.outbox, [])

    def test_a_look_alike_address_gets_a_clear_error(self):
        self.robin.email = "p\u0430t@example.org"  # Cyrillic а
        self.robin.save(update_fields=["email"])
        self.login(self.ivy)
        response = self.client.post(reverse("consent:invite", args=[self.robin.code]), follow=True)
        self.assertContains(response, "looks the same as another account")

    def test_resend_and_revoke_from_the_page(self):
        sent = actions.invite_participant(self.robin, acting_user=self.ivy)
        self.login(self.alvarez)
        # Dr. Alvarez is not on Robin's team: a stranger to this chart.
        resend = reverse("consent:invitation_resend", args=[sent.invitation.code])
        self.assertEqual(self.client.post(resend).status_code, 404)
        self.login(self.dana)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertRedirects(self.client.post(resend), self.url)
        newest = Invitation.objects.filter(participant=self.robin).first()
        assert newest is not None
        self.assertNotEqual(newest, sent.invitation)
        revoke = reverse("consent:invitation_revoke", args=[newest.code])
        page = self.client.post(revoke, follow=True)
        self.assertContains(page, "Invitation revoked")
        self.assertContains(page, "Revoked.")
        self.assertContains(page, "Send a new invitation")

    def test_a_discharged_chart_cannot_send(self):
        self.robin.discharged_at = timezone.now()
        self.robin.save(update_fields=["discharged_at"])
        self.login(self.ivy)
        response = self.client.post(reverse("consent:invite", args=[self.robin.code]))
        self.assertEqual(response.status_code, 403)

    def test_the_guardian_form_is_refused_where_the_program_does_not_allow_it(self):
        self.login(self.ivy)
        url = reverse("consent:invite_guardian", args=[self.robin.code])
        self.assertContains(self.client.get(url), "does not give parents or guardians")
        response = self.client.post(
            url,
            {
                "given_name": "Morgan",
                "family_name": "Okafor",
                "email": "morgan@example.org",
                "relationship": "Mother",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Invitation.objects.exists())

    def test_the_guardian_form_keeps_what_was_typed_on_error(self):
        self.program.allows_guardians = True
        self.program.save(update_fields=["allows_guardians"])
        self.login(self.ivy)
        url = reverse("consent:invite_guardian", args=[self.robin.code])
        response = self.client.post(
            url,
            {
                "given_name": "Morgan",
                "family_name": "Okafor",
                "email": "dana@example.org",
                "relationship": "Mother",
            },
        )
        self.assertContains(response, "already used by another account", status_code=400)
        self.assertContains(response, 'value="Morgan"', status_code=400)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url,
                {
                    "given_name": "Morgan",
                    "family_name": "Okafor",
                    "email": "morgan@example.org",
                    "relationship": "Mother",
                },
            )
        self.assertRedirects(response, reverse("consent:portal_access", args=[self.robin.code]))
        self.assertEqual(mail.outbox[-1].to, ["morgan@example.org"])


class AcceptPagesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.robin = new_chart(self.program)
        with self.captureOnCommitCallbacks(execute=True):
            self.sent = actions.invite_participant(self.robin, acting_user=self.ivy)
        self.link = reverse("welcome:accept", args=[token_in_mail()])

    def set_up_account(self, password=NEW_PASSWORD, again=None):
        self.assertRedirects(
            self.client.get(self.link),
            reverse("welcome:set_password"),
            fetch_redirect_response=False,
        )
        return self.client.post(
            reverse("welcome:set_password"),
            {"password1": password, "password2": again or password},
        )

    def test_it_sets_a_password_signs_in_and_lands_on_the_portal_home(self):
        response = self.set_up_account()
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        home = self.client.get(reverse("home"))
        self.assertContains(home, "Welcome, <bdi>Robin</bdi>", html=False)
        self.assertContains(home, "Your account is ready")
        self.assertContains(home, reverse("mfa_index"))
        self.assertNotContains(self.client.get(reverse("home")), "Set up two-step sign-in")
        user = User.objects.get(email="robin@example.org")
        self.robin.refresh_from_db()
        self.assertEqual(self.robin.user, user)
        self.assertNotIn(TOKEN_SESSION_KEY, self.client.session)

    def test_the_password_page_holds_no_token_in_its_address(self):
        response = self.client.get(self.link, follow=True)
        self.assertEqual(response.request["PATH_INFO"], reverse("welcome:set_password"))
        self.assertContains(response, "Set up your OpenIOP account")
        self.assertContains(response, "robin@example.org")

    def test_a_weak_password_is_explained(self):
        response = self.set_up_account(password="robin12")
        self.assertContains(response, "too short", status_code=400)
        self.assertFalse(User.objects.filter(email="robin@example.org").exists())

    def test_two_different_passwords_are_explained(self):
        response = self.set_up_account(again="something else entirely 9")
        self.assertContains(response, "The two passwords differ", status_code=400)

    def assert_explained(self, response, status, heading):
        self.assertContains(response, heading, status_code=status)
        self.assertNotContains(response, "Robin", status_code=status)
        self.assertNotContains(response, "Okafor", status_code=status)
        self.assertNotContains(response, "robin@example.org", status_code=status)
        self.assertNotContains(response, self.program.name, status_code=status)
        self.assertNotContains(response, "Traceback", status_code=status)

    def test_an_expired_link_is_explained(self):
        with time_machine.travel(timezone.now() + timedelta(days=8)):
            response = self.client.get(self.link)
        self.assert_explained(response, 410, "This invitation has expired")
        self.assertContains(response, "Ask your program to send you a new one", status_code=410)

    def test_a_used_link_is_explained(self):
        self.set_up_account()
        self.client.logout()
        response = self.client.get(self.link)
        self.assert_explained(response, 410, "This invitation was already used")

    def test_a_revoked_link_is_explained(self):
        actions.revoke_invitation(self.sent.invitation, acting_user=self.ivy)
        self.assert_explained(self.client.get(self.link), 410, "no longer valid")

    def test_a_replaced_link_is_explained(self):
        actions.resend_invitation(self.sent.invitation, acting_user=self.ivy)
        self.assert_explained(self.client.get(self.link), 410, "no longer valid")

    def test_a_tampered_link_is_explained(self):
        token = self.link.rstrip("/").rsplit("/", 1)[1]
        tampered = reverse("welcome:accept", args=[token[:-2] + "xx"])
        self.assert_explained(self.client.get(tampered), 404, "This link does not work")

    def test_a_link_opened_while_signed_in_as_someone_else_is_explained(self):
        self.login(self.pat_user)
        response = self.client.get(self.link)
        self.assert_explained(response, 403, "This invitation is for someone else")
        self.assertContains(response, "Sign out first", status_code=403)
        self.assertTrue(Invitation.objects.get(pk=self.sent.invitation.pk).is_open)

    def test_the_invitee_opening_their_used_link_again_goes_home(self):
        self.set_up_account()
        response = self.client.get(self.link)
        self.assertRedirects(response, reverse("home"))

    def test_a_link_revoked_while_the_form_is_open_is_explained(self):
        self.client.get(self.link)
        actions.revoke_invitation(self.sent.invitation, acting_user=self.ivy)
        response = self.client.post(
            reverse("welcome:set_password"),
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
        self.assert_explained(response, 410, "no longer valid")
        self.assertFalse(User.objects.filter(email="robin@example.org").exists())

    def test_the_password_page_without_a_link_is_explained(self):
        response = self.client.get(reverse("welcome:set_password"))
        self.assert_explained(response, 404, "This link does not work")

    def test_acceptance_is_audited_without_the_token(self):
        self.set_up_account()
        event = AuditEvent.objects.get(event_type="consent.invitation_accepted")
        token = self.link.rstrip("/").rsplit("/", 1)[1]
        self.assertNotIn(token, str(event.details))
