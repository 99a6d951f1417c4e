from io import StringIO
from unittest import mock

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from openiop.accounts import actions
from openiop.accounts.tests.test_secrets_at_rest import raw_mfa_data
from openiop.audit.models import AuditEvent
from openiop.lib.crypto import Keyring, key_id_of, new_entry
from openiop.testing import PASSWORD, BaseTestCase, current_totp, totp_secret_for


def keyring_with_new_first_key(key_id: str) -> Keyring:
    """The test keyring with a new key in front, as an operator would rotate it."""
    current = settings.OPENIOP_ENCRYPTION_KEYRING
    return Keyring(
        ids=(key_id, *current.ids),
        source="OPENIOP_ENCRYPTION_KEYS",
        _fernets={key_id: Fernet(Fernet.generate_key()), **current._fernets},
    )


class RotateKeysTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        RecoveryCodes.activate(cls.alvarez)
        RecoveryCodes.activate(cls.chen)

    def key_ids(self) -> list[str | None]:
        ids = []
        for authenticator in Authenticator.objects.exclude(type="webauthn").order_by("pk"):
            ids.append(key_id_of(authenticator.data.get("secret") or authenticator.data["seed"]))
        return ids

    def test_it_reencrypts_every_row_and_resumes_after_an_interruption(self):
        rows = Authenticator.objects.count()
        self.assertEqual(rows, 8)
        codes_before = RecoveryCodes(
            Authenticator.objects.get(user=self.chen, type="recovery_codes")
        ).generate_codes()
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=keyring_with_new_first_key("k2")):
            real = actions.transform_data
            calls: list[int] = []

            def power_cut_after_three_rows(*args, **kwargs):
                if len(calls) == 3:
                    raise RuntimeError("power cut")
                calls.append(1)
                return real(*args, **kwargs)

            with (
                mock.patch.object(actions, "transform_data", power_cut_after_three_rows),
                self.assertRaises(RuntimeError),
            ):
                call_command("rotate_keys", stdout=StringIO())
            self.assertEqual(self.key_ids(), ["k2"] * 3 + ["test"] * 5)

            out = StringIO()
            call_command("rotate_keys", stdout=out)
            self.assertEqual(
                out.getvalue().splitlines()[:2],
                [
                    "Key k2: 5 re-encrypted, 3 already on it.",
                    "  MFA secrets: 5 re-encrypted, 3 already on it.",
                ],
            )
            self.assertEqual(self.key_ids(), ["k2"] * 8)

            out = StringIO()
            call_command("rotate_keys", stdout=out)
            self.assertEqual(
                out.getvalue().splitlines()[:2],
                [
                    "Key k2: 0 re-encrypted, 8 already on it.",
                    "  MFA secrets: 0 re-encrypted, 8 already on it.",
                ],
            )

            new_key_only = Keyring(
                ids=("k2",),
                source="OPENIOP_ENCRYPTION_KEYS",
                _fernets={"k2": settings.OPENIOP_ENCRYPTION_KEYRING._fernets["k2"]},
            )
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=new_key_only):
            chen_codes = Authenticator.objects.get(user=self.chen, type="recovery_codes")
            self.assertEqual(RecoveryCodes(chen_codes).generate_codes(), codes_before)
            self.client.post(
                reverse("account_login"), {"login": self.alvarez.email, "password": PASSWORD}
            )
            response = self.client.post(
                reverse("mfa_authenticate"), {"code": current_totp(self.alvarez)}
            )
            self.assertEqual(response.status_code, 302)
        self.assertNotIn(totp_secret_for(self.alvarez), raw_mfa_data())

    def test_each_run_is_audited_with_counts_only(self):
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=keyring_with_new_first_key("k2")):
            call_command("rotate_keys", stdout=StringIO())
        event = AuditEvent.objects.get(event_type="accounts.encryption_keys_rotated")
        self.assertEqual(event.details, {"key_id": "k2", "rotated": 8, "already_current": 0})
        self.assertIsNone(event.actor)

    def test_a_missing_old_key_stops_with_its_id_and_the_variable(self):
        elsewhere = Keyring.parse(new_entry("k9"), source="OPENIOP_ENCRYPTION_KEYS")
        with (
            override_settings(OPENIOP_ENCRYPTION_KEYRING=elsewhere),
            self.assertRaisesMessage(CommandError, "key 'test', which is not in") as caught,
        ):
            call_command("rotate_keys", stdout=StringIO())
        self.assertIn("OPENIOP_ENCRYPTION_KEYS", str(caught.exception))
        self.assertIn("run rotate_keys again", str(caught.exception))
