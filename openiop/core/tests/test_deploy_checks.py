import os
import secrets
import subprocess
import sys

from django.conf import settings
from django.test import SimpleTestCase, override_settings

from openiop.accounts.checks import check_encryption_keys, check_security_policy
from openiop.lib.crypto import Keyring, new_entry

PRODUCTION_ENV = {
    "OPENIOP_MODE": "production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "OPENIOP_AUDIT_KEY": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "openiop.example.org",
    "DATABASE_URL": "sqlite:////tmp/openiop-deploy-check.sqlite3",
    "OPENIOP_ENCRYPTION_KEYS": new_entry("k1"),
    "DOCUMENTS_SCANNER": "openiop.documents.scan.clamd",
}


def run_deploy_check(**extra_env: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, **extra_env}
    env.pop("OPENIOP_TESTING", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


class DeployCheckTestCase(SimpleTestCase):
    def test_production_settings_pass_every_deploy_check(self):
        result = run_deploy_check()
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues", result.stdout)

    def test_it_fails_when_staff_mfa_is_not_enforced(self):
        result = run_deploy_check(OPENIOP_STAFF_MFA_REQUIRED="false")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("openiop.E001", result.stderr + result.stdout)

    def test_it_fails_when_the_idle_timeout_is_unset(self):
        result = run_deploy_check(OPENIOP_IDLE_TIMEOUT_STAFF="0")
        self.assertIn("openiop.E002", result.stderr + result.stdout)

    def test_it_fails_when_uploads_would_go_unscanned(self):
        for scanner in ("openiop.documents.scan.eicar", ""):
            with self.subTest(scanner=scanner):
                result = run_deploy_check(DOCUMENTS_SCANNER=scanner)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("openiop.E006", result.stderr + result.stdout)
        result = run_deploy_check(
            DOCUMENTS_SCANNER="openiop.documents.scan.eicar", DOCUMENTS_SCANNER_ELSEWHERE="1"
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_production_refuses_to_start_without_a_secret_key(self):
        result = run_deploy_check(SECRET_KEY="")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY", result.stderr)

    def test_production_refuses_to_start_without_encryption_keys(self):
        result = run_deploy_check(OPENIOP_ENCRYPTION_KEYS="")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(
            "KeyringError: OPENIOP_ENCRYPTION_KEYS (or OPENIOP_ENCRYPTION_KEYS_FILE) is required",
            result.stderr,
        )

    def test_production_refuses_to_start_with_malformed_keys(self):
        for variable, value, message in (
            ("OPENIOP_ENCRYPTION_KEYS", "k1:not-a-key", "key 'k1' is not a Fernet key"),
            ("OPENIOP_ENCRYPTION_KEYS_FILE", "/nonexistent/keys", "cannot be read"),
        ):
            with self.subTest(variable=variable):
                result = run_deploy_check(**{variable: value})
                self.assertNotEqual(result.returncode, 0)
                self.assertIn(f"KeyringError: {variable}", result.stderr)
                self.assertIn(message, result.stderr)


class SecurityPolicyCheckTestCase(SimpleTestCase):
    def test_it_reports_a_missing_csp(self):
        middleware = [m for m in settings.MIDDLEWARE if m != "csp.middleware.CSPMiddleware"]
        with override_settings(MIDDLEWARE=middleware):
            ids = [e.id for e in check_security_policy(None)]
        self.assertIn("openiop.E003", ids)

    def test_it_reports_inline_scripts_allowed(self):
        policy = {
            "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", "'unsafe-inline'"]}
        }
        with override_settings(CONTENT_SECURITY_POLICY=policy):
            ids = [e.id for e in check_security_policy(None)]
        self.assertIn("openiop.E003", ids)

    def test_the_current_settings_pass(self):
        self.assertEqual(check_security_policy(None), [])

    def test_it_reports_encryption_keys_not_given_to_the_server(self):
        # The test settings' fixed key stands for a generated demo key.
        self.assertEqual([e.id for e in check_encryption_keys(None)], ["openiop.E005"])
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=None):
            self.assertEqual([e.id for e in check_encryption_keys(None)], ["openiop.E005"])
        given = Keyring.parse(new_entry("k1"), source="OPENIOP_ENCRYPTION_KEYS_FILE")
        with override_settings(OPENIOP_ENCRYPTION_KEYRING=given):
            self.assertEqual(check_encryption_keys(None), [])


class BodySizeLimitTestCase(SimpleTestCase):
    @override_settings(OPENIOP_MAX_REQUEST_BODY=1000)
    def test_it_refuses_an_oversized_body_before_reading_it(self):
        response = self.client.post(
            "/accounts/login/", data="x" * 2000, content_type="application/octet-stream"
        )
        self.assertEqual(response.status_code, 413)
