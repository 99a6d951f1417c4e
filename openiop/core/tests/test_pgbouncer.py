"""OpenIOP behind PgBouncer in transaction pooling mode (docs/deploy.md, "PgBouncer").

A real pgbouncer (Debian's) in front of the test database, with two server connections for
eight client threads: each transaction may land on a different server connection, so anything
that leans on session state (a server-side cursor across fetches, a session-level lock) breaks.
A separate process runs Django through it with DATABASE_POOLER=pgbouncer, as a web node would.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase

from openiop.testing import TransactionalTestCase

ROOT = Path(settings.BASE_DIR)

# Eight threads append to the audit trail at once (each append takes the chain's advisory lock
# for its transaction) and, after each append, read the whole trail back with .iterator() in
# small chunks and check its hash chain. Prints the rows, the rows checked and the first
# failure: with server-side cursors, a FETCH lands on another server connection than its
# DECLARE ("cursor ... does not exist").
SCRIPT = """
import threading
import django
django.setup()
from django.db import connection
from openiop.audit.actions import record
from openiop.audit.chain import verify
from openiop.audit.keys import key_for
from openiop.audit.models import AuditEvent

failures = []

def append_and_read(n):
    try:
        for i in range(10):
            record("backup.drilled", acting_user=None, details={"tables": n * 100 + i})
            # Read the trail back in small chunks while the other threads write and read.
            trail = AuditEvent.objects.order_by("seq").iterator(chunk_size=3)
            checked, bad = verify(trail, key_for)
            assert bad is None, bad
    except Exception as error:
        failures.append(repr(error))
    finally:
        connection.close()

threads = [threading.Thread(target=append_and_read, args=(n,)) for n in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
checked, bad = verify(AuditEvent.objects.order_by("seq").iterator(chunk_size=7), key_for)
print(f"rows={AuditEvent.objects.count()} checked={checked} bad={bad and bad.seq}")
print(f"failures={len(failures)} {failures[:1]}")
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PgBouncerTests(TransactionalTestCase):
    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="openiop-pgbouncer-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        self.port = free_port()
        self.start_pgbouncer()

    def start_pgbouncer(self) -> None:
        target = connection.settings_dict
        user = target["USER"] or "postgres"
        (self.folder / "userlist.txt").write_text(f'"{user}" ""\n')
        (self.folder / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={target['HOST'] or '127.0.0.1'} port={target['PORT'] or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.folder / 'userlist.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 50\n"
            # What Django and psycopg send at connect time that pgbouncer does not track.
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.folder / 'pgbouncer.log'}\n"
        )
        command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"]
        if os.geteuid() == 0:  # pgbouncer will not run as root
            shutil.chown(self.folder, "postgres")
            for path in self.folder.iterdir():
                shutil.chown(path, "postgres")
            command += ["-u", "postgres"]
        process = subprocess.Popen(
            [*command, str(self.folder / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.addCleanup(process.wait, 10)
        self.addCleanup(process.terminate)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if process.poll() is not None:
                    error = process.stderr.read().decode() if process.stderr else ""
                    self.fail(f"pgbouncer did not start: {error}")
                time.sleep(0.05)
        self.fail("pgbouncer did not listen within 10 s")

    def run_through_pgbouncer(self, **extra: str) -> subprocess.CompletedProcess:
        target = connection.settings_dict
        url = f"postgres://{target['USER'] or 'postgres'}@127.0.0.1:{self.port}/{target['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "OPENIOP_TESTING": "1",
            "DATABASE_URL": url,
            "DB_CONN_MAX_AGE": "60",
            **extra,
        }
        env.pop("DATABASE_REPLICA_URL", None)
        return subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def test_concurrent_audited_writes_and_chunked_reads_work_through_transaction_pooling(self):
        # Without DATABASE_POOLER the same run fails: 7 of 8 threads get InvalidCursorName.
        result = self.run_through_pgbouncer(DATABASE_POOLER="pgbouncer")
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(result.stdout.strip(), "rows=80 checked=80 bad=None\nfailures=0 []")


class PoolerSettingsTests(SimpleTestCase):
    def test_the_pooler_setting_turns_off_server_side_cursors(self):
        script = (
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))"
        )
        for pooler, expected in (("pgbouncer", "True"), ("", "False")):
            env = {**os.environ, "OPENIOP_TESTING": "1", "DATABASE_POOLER": pooler}
            env["DJANGO_SETTINGS_MODULE"] = "config.settings"
            result = subprocess.run(
                [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
            )
            with self.subTest(pooler=pooler):
                self.assertEqual(result.stdout.strip(), expected, result.stderr[-1000:])

    def test_an_unknown_pooler_is_a_clear_start_up_error(self):
        env = {**os.environ, "OPENIOP_TESTING": "1", "DATABASE_POOLER": "pgpool"}
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        self.assertNotEqual(result.returncode, 0)
        self.assertIn('DATABASE_POOLER must be "pgbouncer" or empty', result.stderr)
