import importlib

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.utils import decrypt
from django.apps import apps
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from openiop.lib.crypto import DecryptionError, Keyring, new_entry
from openiop.testing import PASSWORD, BaseTestCase, current_totp, totp_secret_for

migration = importlib.import_module("openiop.accounts.migrations.0002_encrypt_mfa_secrets")


def raw_mfa_data(user=None) -> str:
    """What someone who can read the database sees, without Django's help."""
    with connection.cursor() as cursor:
        if user is None:
            cursor.execute("SELECT data FROM mfa_authenticator ORDER BY id")
        else:
            cursor.execute(
                "SELECT data FROM mfa_authenticator WHERE user_id = %s ORDER BY id", [user.pk]
            )
        return " ".join(str(row[0]) for row in cursor.fetchall())


class SecretsAtRestTestCase(BaseTestCase):
    def sign_in_with_totp(self, user):
        self.client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        return self.client.post(reverse("mfa_authenticate"), {"code": current_totp(user)})

    def test_a_database_reader_sees_no_totp_secret(self):
        raw = raw_mfa_data(self.alvarez)
        self.assertIn('"secret": "test$gA', raw)
        self.assertNotIn(totp_secret_for(self.alvarez), raw)

    def test_a_database_reader_sees_no_recovery_seed(self):
        codes = RecoveryCodes.activate(self.alvarez)
        seed = decrypt(codes.instance.data["seed"])
        self.assertEqual(len(seed), 80)
        raw = raw_mfa_data(self.alvarez)
        self.assertIn('"seed": "test$gA', raw)
        self.assertNotIn(seed, raw)

    def test_staff_still_sign_in_with_their_code(self):
        response = self.sign_in_with_totp(self.alvarez)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 200)

    def test_recovery_codes_still_work(self):
        code = RecoveryCodes.activate(self.alvarez).generate_codes()[0]
        self.client.post(
            reverse("account_login"), {"login": self.alvarez.email, "password": PASSWORD}
        )
        response = self.client.post(reverse("mfa_authenticate"), {"code": code})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 200)

    def test_a_secret_under_a_key_no_longer_configured_is_a_clear_error(self):
        elsewhere = Keyring.parse(new_entry("k9"), source="OPENIOP_ENCRYPTION_KEYS")
        with (
            override_settings(OPENIOP_ENCRYPTION_KEYRING=elsewhere),
            self.assertRaisesMessage(DecryptionError, "key 'test', which is not in") as caught,
        ):
            self.sign_in_with_totp(self.alvarez)
        self.assertIn("OPENIOP_ENCRYPTION_KEYS", str(caught.exception))
        self.assertNotIn(totp_secret_for(self.alvarez), str(caught.exception))


class EncryptExistingRowsMigrationTestCase(BaseTestCase):
    def test_it_encrypts_plaintext_rows_and_reverses(self):
        # Rows as they were stored before the adapter encrypted them.
        pat = self.pat_user
        Authenticator.objects.create(user=pat, type="totp", data={"secret": "JBSWY3DPEHPK3PXP"})
        Authenticator.objects.create(
            user=pat,
            type="recovery_codes",
            data={"seed": "ab" * 40, "used_mask": 0, "migrated_codes": ["12345678", "87654321"]},
        )
        already = Authenticator.objects.get(user=self.alvarez).data["secret"]

        migration.encrypt_plaintext(apps, None)
        raw = raw_mfa_data()
        for plaintext in ("JBSWY3DPEHPK3PXP", "ab" * 40, "12345678", "87654321"):
            self.assertNotIn(plaintext, raw)
        self.assertEqual(Authenticator.objects.get(user=self.alvarez).data["secret"], already)
        codes = RecoveryCodes(Authenticator.objects.get(user=pat, type="recovery_codes"))
        self.assertEqual(codes.get_unused_codes(), ["12345678", "87654321"])
        self.assertEqual(decrypt(codes.instance.data["seed"]), "ab" * 40)

        migration.decrypt_to_plaintext(apps, None)
        self.assertEqual(
            Authenticator.objects.get(user=pat, type="totp").data["secret"], "JBSWY3DPEHPK3PXP"
        )
        self.assertEqual(
            Authenticator.objects.get(user=self.alvarez).data["secret"],
            totp_secret_for(self.alvarez),
        )
