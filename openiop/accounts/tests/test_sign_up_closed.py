from django.core import mail
from django.urls import reverse

from openiop.accounts.models import User
from openiop.testing import BaseTestCase


class NoSignUpTestCase(BaseTestCase):
    """Accounts are made by the program; no page offers or advertises a sign-up."""

    def test_the_sign_in_page_has_no_sign_up_link(self):
        response = self.client.get(reverse("account_login"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, reverse("account_signup"))
        self.assertNotContains(response, "sign up", html=False)
        self.assertContains(response, "Your account is made by your program.")

    def test_the_sign_up_address_says_how_accounts_are_made(self):
        response = self.client.get(reverse("account_signup"))
        self.assertContains(response, "Accounts are made by the program")
        self.assertNotContains(response, "Sign Up Closed")
        # The only form is the header's language switch: nothing to sign up with.
        self.assertContains(response, "<form", count=1)
        self.assertContains(response, '<form method="post" action="/language/"')

    def test_posting_to_the_sign_up_address_makes_no_account(self):
        count = User.objects.count()
        self.client.post(
            reverse("account_signup"),
            {"email": "stranger@example.org", "password1": "a long enough passphrase"},
        )
        self.assertEqual(User.objects.count(), count)

    def test_a_reset_for_an_unknown_address_sends_no_sign_up_invitation(self):
        response = self.client.post(
            reverse("account_reset_password"), {"email": "stranger@example.org"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(mail.outbox, [])
