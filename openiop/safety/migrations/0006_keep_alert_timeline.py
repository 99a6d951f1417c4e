"""The timeline and the notices sent are kept like the alerts: deletes are refused."""

from django.db import migrations

from openiop.lib.triggers import execute_for_vendor
from openiop.safety.guards import POSTGRES_FUNCTION, postgres_guard, sqlite_guard

TABLES = ("safety_alertevent", "safety_escalationnotice")


def install(apps, schema_editor):
    execute_for_vendor(
        schema_editor,
        postgresql=POSTGRES_FUNCTION + "".join(postgres_guard(table) for table in TABLES),
        sqlite=[sqlite_guard(table) for table in TABLES],
    )


def remove(apps, schema_editor):
    execute_for_vendor(
        schema_editor,
        postgresql="".join(
            f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};\n" for table in TABLES
        ),
        sqlite=[f"DROP TRIGGER IF EXISTS {table}_no_delete;" for table in TABLES],
    )


class Migration(migrations.Migration):
    dependencies = [("safety", "0005_escalation_ladder")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
