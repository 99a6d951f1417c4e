"""Alerts are never dropped: the database refuses to delete an alert or one of its triggers.
(An alert is closed only by a person acknowledging it.)"""

from django.db import migrations

TABLES = ("safety_safetyalert", "safety_alerttrigger")

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION safety_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety alerts are never deleted: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION safety_refuse_delete();\n"
    for table in TABLES
)

POSTGRES_DOWN = "".join(
    f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table};\n" for table in TABLES
) + "DROP FUNCTION IF EXISTS safety_refuse_delete();"

SQLITE_UP = [
    f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
       BEGIN SELECT RAISE(ABORT, 'safety alerts are never deleted'); END;"""
    for table in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {table}_no_delete;" for table in TABLES]


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
