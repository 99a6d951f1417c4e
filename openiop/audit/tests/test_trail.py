import threading
from io import StringIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction

from openiop.audit.actions import record
from openiop.audit.chain import hashed_fields, row_hash
from openiop.audit.models import AuditEvent
from openiop.audit.tests.tampering import raw, verify
from openiop.testing import BaseTestCase, TransactionalTestCase


class HashChainTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        for _ in range(5):
            record("participant.chart_viewed", acting_user=self.alvarez, participant=self.pat)

    def test_an_untouched_trail_verifies(self):
        self.assertIn("Audit trail intact", verify())

    def test_it_names_the_row_changed_by_raw_sql(self):
        victim = AuditEvent.objects.order_by("seq")[2]
        raw("UPDATE audit_auditevent SET actor_id = %s WHERE seq = %s", [self.chen.pk, victim.seq])
        with self.assertRaisesMessage(CommandError, f"broken at row {victim.seq}"):
            verify()

    def test_it_names_a_deleted_row(self):
        victim = AuditEvent.objects.order_by("seq")[1]
        raw("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
        with self.assertRaisesMessage(
            CommandError, f"broken at row {victim.seq}: row {victim.seq} is missing"
        ):
            verify()

    def test_an_anchor_kept_elsewhere_catches_rows_cut_from_the_end(self):
        head = AuditEvent.objects.latest("seq")
        anchor = f"{head.seq}:{head.hash}"
        self.assertIn(f"Head (keep it elsewhere for --anchor): {anchor}", verify())
        raw("DELETE FROM audit_auditevent WHERE seq = %s", [head.seq])
        self.assertIn("Audit trail intact", verify())  # no gap, so the chain alone cannot tell
        with self.assertRaisesMessage(CommandError, f"broken at row {head.seq}"):
            call_command("audit_verify", anchor=anchor, stdout=StringIO())

    def test_it_notices_a_rehashed_row_by_the_next_link(self):
        # Even with the key, a rehashed row still breaks the next row's link.
        events = list(AuditEvent.objects.order_by("seq"))
        victim = events[1]
        victim.event_type = "auth.logout"
        key = settings.OPENIOP_AUDIT_KEYS[victim.key_id].encode()
        new_hash = row_hash(hashed_fields(victim), victim.prev_hash, key)
        raw(
            "UPDATE audit_auditevent SET event_type = %s, hash = %s WHERE seq = %s",
            ["auth.logout", new_hash, victim.seq],
        )
        with self.assertRaisesMessage(CommandError, f"broken at row {events[2].seq}"):
            verify()


class AppendOnlyTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.event = record("auth.login", acting_user=self.alvarez)

    def assert_refused(self, sql: str) -> None:
        with (
            self.assertRaisesMessage(DatabaseError, "append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql)

    def test_the_database_refuses_update(self):
        self.assert_refused("UPDATE audit_auditevent SET event_type = 'x'")

    def test_the_database_refuses_delete(self):
        self.assert_refused("DELETE FROM audit_auditevent")

    def test_the_database_refuses_truncate(self):
        self.assert_refused("TRUNCATE audit_auditevent CASCADE")

    def test_the_orm_cannot_delete_either(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.all().delete()
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())


class ConcurrentAppendsTestCase(TransactionalTestCase):
    """Appends from many connections at once must still form one unbroken chain."""

    def test_parallel_writers_keep_the_chain(self):
        errors = []

        def writer():
            try:
                for _ in range(20):
                    with transaction.atomic():
                        record("auth.login_failed", acting_user=None, outcome="failure")
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(AuditEvent.objects.count(), 160)
        self.assertIn("160 rows verified", verify())
