"""Start-up with the audit key missing or wrong: a clear error naming the variable."""

import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

from openiop.lib.crypto import new_entry


def start_in_production(**extra_env: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "OPENIOP_MODE": "production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "openiop.example.org",
        "DATABASE_URL": "sqlite:////tmp/openiop-audit-key-check.sqlite3",
        "OPENIOP_ENCRYPTION_KEYS": new_entry("k1"),
        **extra_env,
    }
    for name in ("OPENIOP_TESTING", "OPENIOP_AUDIT_KEY", "OPENIOP_AUDIT_KEYS"):
        if name not in extra_env:
            env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(list(s.OPENIOP_AUDIT_KEYS))"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class AuditKeySettingsTestCase(SimpleTestCase):
    def test_production_refuses_to_start_without_an_audit_key(self):
        result = start_in_production()
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("RuntimeError: OPENIOP_AUDIT_KEY (or OPENIOP_AUDIT_KEY_FILE", result.stderr)

    def test_production_refuses_a_short_audit_key(self):
        result = start_in_production(OPENIOP_AUDIT_KEY="too-short")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("OPENIOP_AUDIT_KEY", result.stderr)

    def test_production_refuses_a_malformed_key_list(self):
        result = start_in_production(OPENIOP_AUDIT_KEYS="no-id-here")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("OPENIOP_AUDIT_KEYS must list id:secret pairs", result.stderr)

    def test_a_key_file_and_a_rotation_list_are_read(self):
        with tempfile.TemporaryDirectory() as directory:
            key_file = Path(directory) / "audit-key"
            key_file.write_text(secrets.token_urlsafe(32) + "\n")
            result = start_in_production(OPENIOP_AUDIT_KEY_FILE=str(key_file))
        self.assertEqual(result.stdout.strip(), "['1']", result.stderr)
        listed = f"2:{secrets.token_urlsafe(32)},1:{secrets.token_urlsafe(32)}"
        result = start_in_production(OPENIOP_AUDIT_KEYS=listed)
        self.assertEqual(result.stdout.strip(), "['2', '1']", result.stderr)

    def test_development_generates_a_private_key_under_var(self):
        with tempfile.TemporaryDirectory() as directory:
            result = start_in_production(OPENIOP_MODE="development", OPENIOP_VAR_DIR=directory)
            key_file = Path(directory) / "audit_key"
            self.assertEqual(result.stdout.strip(), "['demo']", result.stderr)
            self.assertEqual(key_file.stat().st_mode & 0o077, 0)
            self.assertGreaterEqual(len(key_file.read_text().strip()), 32)
