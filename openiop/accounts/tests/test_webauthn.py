import pytest
from allauth.mfa.models import Authenticator

from openiop.audit.models import AuditEvent
from openiop.testing import PASSWORD, BrowserTestCase

pytestmark = pytest.mark.browser


class SecurityKeyTestCase(BrowserTestCase):
    # WebAuthn relying-party ids must be a host name: "localhost", not an IP address.
    host = "localhost"

    def add_virtual_authenticator(self) -> None:
        """Chromium's built-in virtual security key, through the DevTools protocol."""
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("WebAuthn.enable")
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "usb",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )

    def test_a_clinician_adds_a_security_key_and_signs_in_with_it(self):
        self.add_virtual_authenticator()
        self.sign_in(self.alvarez)
        self.page.goto(self.url("/accounts/2fa/webauthn/add/"))
        name = self.page.get_by_label("Name")
        password = self.page.get_by_label("Password")
        name.or_(password).wait_for()
        if password.is_visible():
            # Adding a key is a sensitive change: the password may be asked for again.
            password.fill(PASSWORD)
            self.page.get_by_role("button", name="Confirm").click()
        name.fill("Desk key")
        self.page.get_by_role("button", name="Add").click()
        self.page.wait_for_url(lambda url: "/webauthn/add/" not in url)
        self.assertTrue(Authenticator.objects.filter(user=self.alvarez, type="webauthn").exists())
        self.assertTrue(
            AuditEvent.objects.filter(
                actor=self.alvarez, event_type="mfa.authenticator_added", details__type="webauthn"
            ).exists()
        )
        self.screenshot("security-key-added")

        self.page.get_by_role("button", name="Sign out").click()
        self.page.goto(self.url("/accounts/login/"))
        self.page.get_by_label("Email").fill(self.alvarez.email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign In").click()
        self.page.get_by_role("button", name="Use a security key").click()
        self.page.get_by_role("heading", name="My work today").wait_for()
