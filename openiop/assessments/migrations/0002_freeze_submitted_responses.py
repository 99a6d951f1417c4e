"""A submitted response is part of the record: the database refuses to change or delete it.
Corrections are new rows (Response.replaces)."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION assessments_refuse_submitted_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a submitted response is immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER assessments_response_frozen
    BEFORE UPDATE OR DELETE ON assessments_response
    FOR EACH ROW WHEN (OLD.status = 'submitted')
    EXECUTE FUNCTION assessments_refuse_submitted_change();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS assessments_response_frozen ON assessments_response;
DROP FUNCTION IF EXISTS assessments_refuse_submitted_change();
"""

SQLITE_UP = [
    """CREATE TRIGGER assessments_response_frozen_update BEFORE UPDATE ON assessments_response
       WHEN OLD.status = 'submitted'
       BEGIN SELECT RAISE(ABORT, 'a submitted response is immutable: UPDATE refused'); END;""",
    """CREATE TRIGGER assessments_response_frozen_delete BEFORE DELETE ON assessments_response
       WHEN OLD.status = 'submitted'
       BEGIN SELECT RAISE(ABORT, 'a submitted response is immutable: DELETE refused'); END;""",
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS assessments_response_frozen_update;",
    "DROP TRIGGER IF EXISTS assessments_response_frozen_delete;",
]


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
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
