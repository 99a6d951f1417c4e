"""What the audit tests do to the trail: run the verifier, and change rows as an intruder would."""

from io import StringIO

from django.core.management import call_command
from django.db import connection


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit_verify", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def raw(sql: str, params=()) -> None:
    """Change the trail the way an intruder with table-owner rights would: trigger off."""
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of this test's inserts must run before ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
