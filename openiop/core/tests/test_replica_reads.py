"""Reports read from the replica; whoever just saved, and any page when it lags, the primary.

The "replica" here is a second connection to the test database, made the way the router
finds one (`DATABASE_REPLICA_URL` → `DATABASES["replica"]`). A real PostgreSQL streaming
standby, with its lag, is exercised by bench/replica.py (docs/deploy.md).
"""

import copy

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
from openiop.accounts.models import User
from openiop.lib import dbrouter
from openiop.testing import Personas, TransactionalTestCase


class ReplicaReadsTests(Personas, TransactionalTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.create_personas()
        dbrouter.forget_replica_health()
        self.addCleanup(dbrouter.forget_replica_health)

    def install_replica(self, **changes: str) -> BaseDatabaseWrapper:
        settings_dict = copy.deepcopy(connections["default"].settings_dict)
        settings_dict.update(changes)
        wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(
            settings_dict, dbrouter.REPLICA
        )
        connections[dbrouter.REPLICA] = wrapper

        def remove() -> None:
            wrapper.close()
            del connections[dbrouter.REPLICA]

        self.addCleanup(remove)
        # As DATABASE_REPLICA_URL would configure it (no override_settings: Django warns about
        # changing DATABASES, which only the router reads here).
        settings.DATABASES[dbrouter.REPLICA] = settings_dict  # type: ignore[assignment]
        self.addCleanup(settings.DATABASES.pop, dbrouter.REPLICA)
        # Let this test use the alias; restored before the flush, which is for "default" only.
        cls = type(self)
        self.addCleanup(setattr, cls, "databases", cls.databases)
        cls.databases = {*cls.databases, dbrouter.REPLICA}
        return wrapper

    def login(self, user: User) -> None:
        self.client.force_login(user)
        session = self.client.session
        session[MFA_VERIFIED_SESSION_KEY] = True
        session.save()

    def test_without_a_replica_everything_reads_the_primary(self):
        self.assertFalse(dbrouter.replica_configured())
        self.login(self.dana)
        response = self.client.get(reverse("core:board", args=[self.program.code]))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(dbrouter.ReplicaRouter().db_for_read(None))

    def test_the_board_reads_its_figures_from_the_replica(self):
        replica = self.install_replica()
        self.login(self.dana)
        with CaptureQueriesContext(replica) as on_replica:
            response = self.client.get(reverse("core:board", args=[self.program.code]))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(len(on_replica), 3)
        # Sessions, the access check and the audit trail stay on the primary.
        tables = " ".join(q["sql"] for q in on_replica.captured_queries)
        self.assertNotIn("django_session", tables)
        self.assertNotIn("audit_auditevent", tables)

    def test_someone_who_just_saved_reads_the_primary_on_any_node(self):
        replica = self.install_replica()
        self.login(self.dana)
        response = self.client.post(reverse("accounts:set_language"), {"language": "en"})
        self.assertEqual(response.status_code, 302)
        # The mark is in the shared cache, so another web node would see it too.
        self.assertTrue(dbrouter.wrote_recently(self.dana.pk))
        with CaptureQueriesContext(replica) as on_replica:
            self.client.get(reverse("core:board", args=[self.program.code]))
        self.assertEqual(len(on_replica), 0)
        # Someone else is not held to the primary by Dana's write.
        self.assertFalse(dbrouter.wrote_recently(self.alvarez.pk))

    def test_a_replica_that_does_not_answer_is_left_for_the_primary(self):
        self.install_replica(NAME="openiop_no_such_replica")
        self.login(self.dana)
        response = self.client.get(reverse("core:board", args=[self.program.code]))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(dbrouter.ReplicaRouter().db_for_read(None))

    def test_a_lagging_replica_is_not_read(self):
        replica = self.install_replica()
        with self.settings(REPLICA_MAX_LAG_SECONDS=-1):  # any lag at all is too much
            self.login(self.dana)
            with CaptureQueriesContext(replica) as on_replica:
                response = self.client.get(reverse("core:board", args=[self.program.code]))
        self.assertEqual(response.status_code, 200)
        # Only the lag check itself ran there.
        self.assertEqual(len(on_replica), 1)

    def test_migrations_never_run_on_the_replica(self):
        router = dbrouter.ReplicaRouter()
        self.assertFalse(router.allow_migrate(dbrouter.REPLICA, "participants"))
        self.assertTrue(router.allow_migrate("default", "participants"))
