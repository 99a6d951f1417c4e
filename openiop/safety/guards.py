"""Delete guards on the safety tables: alerts, their triggers, timeline and notices are kept.

SQLite has no ALTER TABLE for most column changes, so Django rebuilds a table (create a copy,
copy the rows, drop the old one) and the rebuild drops the table's triggers. A later migration
that touches a guarded table would silently remove its guard on the demo database; so after
every `migrate` the SQLite guards are put back (`CREATE TRIGGER IF NOT EXISTS`), from
SafetyConfig.ready. PostgreSQL's ALTER TABLE keeps triggers.
"""

from typing import Any

from django.db import connections

from openiop.lib.triggers import refuse_change_function

MESSAGE = "safety alerts are never deleted"
GUARDED_TABLES = (
    "safety_safetyalert",
    "safety_alerttrigger",
    "safety_alertevent",
    "safety_escalationnotice",
)
POSTGRES_FUNCTION = refuse_change_function("safety_refuse_delete", MESSAGE)


def postgres_guard(table: str) -> str:
    return (
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION safety_refuse_delete();\n"
    )


def sqlite_guard(table: str) -> str:
    return f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""


def reinstall_sqlite_guards(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: put back any SQLite guard a table rebuild dropped."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in GUARDED_TABLES:
            if table in existing:
                cursor.execute(sqlite_guard(table))
