"""Alerts are never dropped: the database refuses to delete an alert or one of its triggers.
(An alert is closed only by a person acknowledging it.)"""

from django.db import migrations

from openiop.lib.triggers import execute_for_vendor, refuse_change_function

TABLES = ("safety_safetyalert", "safety_alerttrigger")

POSTGRES_UP = refuse_change_function(
    "safety_refuse_delete", "safety alerts are never deleted"
) + "".join(
    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION safety_refuse_delete();\n"
    for table in TABLES
)

POSTGRES_DOWN = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};\n" for table in TABLES)
    + "DROP FUNCTION IF EXISTS safety_refuse_delete();"
)

SQLITE_UP = [
    f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, 'safety alerts are never deleted'); END;"""
    for table in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {table}_no_delete;" for table in TABLES]


def install(apps, schema_editor):
    execute_for_vendor(schema_editor, postgresql=POSTGRES_UP, sqlite=SQLITE_UP)


def remove(apps, schema_editor):
    execute_for_vendor(schema_editor, postgresql=POSTGRES_DOWN, sqlite=SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
