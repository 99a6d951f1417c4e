"""One writer process for the SQLite concurrency test (run as a module, never collected).

Usage: python -m openiop.core.tests.sqlite_writer WRITER_ID TRANSACTIONS READY_FILE GO_FILE
[--stock]. The database comes from DATABASE_URL through config.settings, so the connection
options under test are the project's own. `--stock` drops them first, to show what Django's
defaults do under the same load.

Each transaction reads and then writes, the pattern of a booking (check the seat, then take
it) and of the task worker (find a ready task, then claim it): under SQLite's default deferred
transactions both processes hold a read lock and the second one's upgrade to a write lock
fails at once with "database is locked".
"""

import os
import sys
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection, transaction

# Long enough that two writers' read-then-write transactions overlap on every run.
PAUSE_BETWEEN_READ_AND_WRITE = 0.003
GO_WAIT_SECONDS = 60


def main(argv: list[str]) -> int:
    writer_id, transactions, ready_file, go_file = argv[:4]
    stock = "--stock" in argv[4:]
    # Raw SQL needs the settings but not the app registry: skipping django.setup() halves
    # the start-up time of each process (and Django's warning about it says nothing here).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    warnings.filterwarnings("ignore", message="Accessing the database during app initialization")

    if stock:
        settings.DATABASES["default"]["OPTIONS"] = {}
    connection.ensure_connection()

    Path(ready_file).touch()
    deadline = time.monotonic() + GO_WAIT_SECONDS
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            print("never told to start", file=sys.stderr)
            return 2
        time.sleep(0.01)

    for number in range(int(transactions)):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM booking WHERE writer = %s", [writer_id])
                (taken,) = cursor.fetchone()
                time.sleep(PAUSE_BETWEEN_READ_AND_WRITE)
                cursor.execute(
                    "INSERT INTO booking (writer, seq) VALUES (%s, %s)", [writer_id, taken]
                )
        except OperationalError as error:
            print(f"transaction {number} failed: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
