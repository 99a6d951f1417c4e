"""The trail against someone who can read and write the database but not the host's secrets.

The intruder here holds everything a database dump and the source code give: every row, and
the project's own hashing functions. What they lack is the audit key (environment or key file)
and the checkpoint file (written outside the database, ideally off the host).
"""

import hashlib
import importlib
import json
import os
import socket
import stat
import tempfile
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from openiop.audit import checkpoints
from openiop.audit.actions import record
from openiop.audit.chain import GENESIS_HASH, hashed_fields, row_hash
from openiop.audit.models import AuditEvent
from openiop.audit.tests.tampering import raw, verify
from openiop.testing import BaseTestCase

resign_migration = importlib.import_module("openiop.audit.migrations.0003_keyed_hashes")


def rewrite_from(seq: int, event_type: str, sign) -> None:
    """Edit row `seq`, then recompute its hash and every later one with `sign`, the way an
    intruder with only the database and the code would try to hide the edit."""
    rows = list(AuditEvent.objects.filter(seq__gte=seq).order_by("seq"))
    prev = rows[0].prev_hash
    rows[0].event_type = event_type
    for row in rows:
        row.prev_hash = prev
        row.hash = sign(hashed_fields(row), prev)
        raw(
            "UPDATE audit_auditevent SET event_type = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [row.event_type, row.prev_hash, row.hash, row.seq],
        )
        prev = row.hash


def unkeyed_sha256(fields, prev_hash):
    """The wave-1 hash: what the chain was before it had a key."""
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


class CheckpointFileTestCase(BaseTestCase):
    """Checkpoints to a file of this test's own (tests write none by default)."""

    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.checkpoint_file = Path(directory.name) / "audit-checkpoints.log"
        overrides = override_settings(
            OPENIOP_AUDIT_CHECKPOINT_SINKS=["file"],
            OPENIOP_AUDIT_CHECKPOINT_FILE=str(self.checkpoint_file),
            OPENIOP_AUDIT_CHECKPOINT_SECONDS=0,
        )
        overrides.enable()
        self.addCleanup(overrides.disable)

    def checkpoint_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.checkpoint_file.read_text().splitlines()]


class TruncationTestCase(CheckpointFileTestCase):
    def setUp(self):
        super().setUp()
        for _ in range(5):
            record("participant.chart_viewed", acting_user=self.alvarez, participant=self.pat)

    def test_verify_without_arguments_catches_the_newest_rows_deleted(self):
        self.assertIn("Audit trail intact: 5 rows verified", verify())
        raw("DELETE FROM audit_auditevent WHERE seq >= 4")
        with self.assertRaisesMessage(
            CommandError, "Audit trail broken at row 5: the checkpoint written at"
        ) as caught:
            verify()
        self.assertIn("the trail now ends at row 3", str(caught.exception))

    def test_appends_checkpoint_the_head_on_commit_without_any_verify_run(self):
        with self.captureOnCommitCallbacks(execute=True):
            record("auth.login", acting_user=self.alvarez)
        head = AuditEvent.objects.latest("seq")
        self.assertEqual(self.checkpoint_lines()[-1]["seq"], head.seq)
        self.assertEqual(self.checkpoint_lines()[-1]["hash"], head.hash)
        raw("DELETE FROM audit_auditevent WHERE seq = %s", [head.seq])
        with self.assertRaisesMessage(CommandError, f"broken at row {head.seq}"):
            verify()

    def test_the_checkpoint_file_is_private_and_append_only(self):
        verify()
        verify()
        mode = stat.S_IMODE(os.stat(self.checkpoint_file).st_mode)
        self.assertEqual(mode & 0o077, 0)
        self.assertEqual([line["seq"] for line in self.checkpoint_lines()], [5, 5])

    def test_checkpoints_are_throttled(self):
        with (
            # A process that has written no checkpoint yet.
            mock.patch.dict(checkpoints._last_written, {"at": float("-inf"), "seq": 0}),
            override_settings(
                OPENIOP_AUDIT_CHECKPOINT_SECONDS=3600, OPENIOP_AUDIT_CHECKPOINT_ROWS=3
            ),
            self.captureOnCommitCallbacks(execute=True),
        ):
            for _ in range(7):
                record("auth.login", acting_user=self.alvarez)
        # The first append (rows 6), then every third row (9 and 12).
        self.assertEqual([line["seq"] for line in self.checkpoint_lines()], [6, 9, 12])

    def test_a_forged_checkpoint_line_is_refused(self):
        verify()
        line = self.checkpoint_lines()[-1]
        line["seq"] = 3
        with self.checkpoint_file.open("a") as f:
            f.write(json.dumps(line) + "\n")
        with self.assertRaisesMessage(CommandError, "line 2: its signature does not match"):
            verify()

    def test_a_copy_kept_off_the_host_is_checked_too(self):
        verify()
        copy = self.checkpoint_file.with_name("off-host-copy.log")
        copy.write_text(self.checkpoint_file.read_text())
        # The intruder also empties the file on this host; the copy still names row 5.
        self.checkpoint_file.write_text("")
        raw("DELETE FROM audit_auditevent WHERE seq = 5")
        with self.assertRaisesMessage(CommandError, "broken at row 5"):
            verify("--checkpoints", str(copy))

    def test_the_anchor_option_still_works(self):
        head = AuditEvent.objects.latest("seq")
        with override_settings(OPENIOP_AUDIT_CHECKPOINT_SINKS=[]):
            raw("DELETE FROM audit_auditevent WHERE seq = %s", [head.seq])
            with self.assertRaisesMessage(CommandError, f"broken at row {head.seq}"):
                verify("--anchor", f"{head.seq}:{head.hash}")


class RecomputedChainTestCase(CheckpointFileTestCase):
    def setUp(self):
        super().setUp()
        for _ in range(5):
            record("participant.chart_viewed", acting_user=self.alvarez, participant=self.pat)

    def test_a_chain_recomputed_with_the_unkeyed_hash_fails(self):
        rewrite_from(2, "auth.logout", unkeyed_sha256)
        with self.assertRaisesMessage(
            CommandError, "broken at row 2: its content does not match its hash"
        ):
            verify()

    def test_a_chain_recomputed_with_the_projects_hash_and_a_guessed_key_fails(self):
        # All the database and the code offer as a key: the key id on the row, or nothing.
        for guess in (b"", b"test"):
            with self.subTest(guess=guess):
                rewrite_from(2, "auth.logout", lambda f, p, g=guess: row_hash(f, p, g))
                with self.assertRaisesMessage(CommandError, "broken at row 2"):
                    verify()

    def test_relabelling_rows_with_another_key_id_fails(self):
        raw("UPDATE audit_auditevent SET key_id = '' WHERE seq >= 2")
        rewrite_from(2, "auth.logout", unkeyed_sha256)
        with self.assertRaisesMessage(
            CommandError, "broken at row 2: it names key id '', which is not configured"
        ):
            verify()

    def test_only_the_key_from_outside_the_database_would_hide_the_edit(self):
        # The key is the one thing the intruder lacks: with it (read from the settings, i.e.
        # the environment), the recomputed chain verifies row by row...
        key = settings.OPENIOP_AUDIT_KEYS["test"].encode()
        with override_settings(OPENIOP_AUDIT_CHECKPOINT_SINKS=[]):
            rewrite_from(2, "auth.logout", lambda f, p: row_hash(f, p, key))
            self.assertIn("Audit trail intact: 5 rows verified", verify())

    def test_a_checkpoint_catches_a_recompute_even_with_the_key(self):
        verify()  # checkpoints row 5
        key = settings.OPENIOP_AUDIT_KEYS["test"].encode()
        rewrite_from(2, "auth.logout", lambda f, p: row_hash(f, p, key))
        with self.assertRaisesMessage(
            CommandError, "broken at row 5: its hash differs from the checkpoint"
        ):
            verify()


class KeyRotationTestCase(BaseTestCase):
    def test_rows_signed_by_a_retired_key_verify_while_it_is_listed(self):
        with override_settings(OPENIOP_AUDIT_KEYS={"1": "a" * 32}):
            record("auth.login", acting_user=self.alvarez)
        with override_settings(OPENIOP_AUDIT_KEYS={"2": "b" * 32, "1": "a" * 32}):
            record("auth.login", acting_user=self.alvarez)
            self.assertEqual(list(AuditEvent.objects.values_list("key_id", flat=True)), ["1", "2"])
            self.assertIn("2 rows verified", verify())
        with (
            override_settings(OPENIOP_AUDIT_KEYS={"2": "b" * 32}),
            self.assertRaisesMessage(CommandError, "names key id '1', which is not configured"),
        ):
            verify()


class SyslogSinkTestCase(BaseTestCase):
    def test_it_sends_signed_checkpoints_to_a_syslog_server(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(server.close)
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        record("auth.login", acting_user=self.alvarez)
        with override_settings(
            OPENIOP_AUDIT_CHECKPOINT_SINKS=["syslog"],
            OPENIOP_AUDIT_SYSLOG_ADDRESS=f"127.0.0.1:{server.getsockname()[1]}",
        ):
            verify()
        message = server.recv(4096).decode()
        self.assertIn(checkpoints.SYSLOG_TAG, message)
        checkpoint = checkpoints.parse(message)
        self.assertTrue(checkpoint.is_authentic())
        self.assertEqual(checkpoint.seq, AuditEvent.objects.latest("seq").seq)


class LegacyUpgradeTestCase(BaseTestCase):
    """Rows hashed without a key (wave 1) are re-signed once, by migration 0003."""

    def make_legacy(self) -> None:
        prev = GENESIS_HASH
        for row in AuditEvent.objects.order_by("seq"):
            fields = {k: v for k, v in hashed_fields(row).items() if k != "key_id"}
            new = unkeyed_sha256(fields, prev)
            raw(
                "UPDATE audit_auditevent SET key_id = '', prev_hash = %s, hash = %s WHERE seq = %s",
                [prev, new, row.seq],
            )
            prev = new

    def resign(self) -> None:
        from django.apps import apps

        with connection.schema_editor(atomic=False) as editor:
            resign_migration.resign(apps, editor)

    def setUp(self):
        super().setUp()
        for _ in range(3):
            record("auth.login", acting_user=self.alvarez)
        self.make_legacy()

    def test_an_unkeyed_trail_is_re_signed_under_the_key(self):
        with self.assertRaisesMessage(CommandError, "broken at row 1"):
            verify()
        self.resign()
        self.assertIn("Audit trail intact: 3 rows verified", verify())
        self.assertEqual(set(AuditEvent.objects.values_list("key_id", flat=True)), {"test"})

    def test_a_broken_unkeyed_trail_is_not_laundered(self):
        raw("UPDATE audit_auditevent SET event_type = 'auth.logout' WHERE seq = 2")
        with self.assertRaisesMessage(RuntimeError, "Audit trail broken at row 2"):
            self.resign()
