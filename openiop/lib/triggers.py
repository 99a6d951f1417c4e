"""SQL for database triggers that refuse changes, shared by the migrations that install them."""

from typing import Any


def refuse_change_function(name: str, message: str) -> str:
    """A PostgreSQL trigger function that always raises "<message>: <operation> refused"."""
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{message}: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def execute_for_vendor(schema_editor: Any, *, postgresql: str, sqlite: list[str]) -> None:
    """Run the PostgreSQL script or the SQLite statements; other databases get no trigger."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(postgresql, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement)
