"""A submitted response is part of the record: the database refuses to change or delete it.
Corrections are new rows (Response.replaces)."""

from django.db import migrations

from openiop.lib.triggers import execute_for_vendor, refuse_change_function

POSTGRES_UP = (
    refuse_change_function(
        "assessments_refuse_submitted_change", "a submitted response is immutable"
    )
    + """CREATE TRIGGER assessments_response_frozen
    BEFORE UPDATE OR DELETE ON assessments_response
    FOR EACH ROW WHEN (OLD.status = 'submitted')
    EXECUTE FUNCTION assessments_refuse_submitted_change();
"""
)

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
    execute_for_vendor(schema_editor, postgresql=POSTGRES_UP, sqlite=SQLITE_UP)


def remove(apps, schema_editor):
    execute_for_vendor(schema_editor, postgresql=POSTGRES_DOWN, sqlite=SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
