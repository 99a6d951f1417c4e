"""Sign the audit trail with a key kept outside the database (docs/audit.md).

A one-time upgrade: rows written before this migration carry a plain SHA-256 chain. The
migration first checks that unkeyed chain end to end and refuses to go on if it is broken (so
tampering from before the upgrade cannot be laundered), then re-signs every row, in order,
under the current audit key. Only `key_id`, `prev_hash` and `hash` change; the content of every
row stays as it was. The append-only trigger is lifted for this one migration and put back.

On SQLite, adding the column rebuilds the table, which drops its triggers: they are created
again here whether or not there were rows to re-sign.
"""

import hashlib
import json

from django.db import migrations, models

from openiop.audit.chain import GENESIS_HASH, hashed_fields, row_hash
from openiop.audit.keys import signing_key

BATCH = 1000

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused'); END;""",
]


def legacy_hash(event, prev_hash):
    """The unkeyed hash of wave 1, frozen here: SHA-256 over the same canonical JSON."""
    fields = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "event_type": event.event_type,
        "actor_id": event.actor_id,
        "participant_id": event.participant_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "outcome": event.outcome,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "details": event.details,
        "prev_hash": prev_hash,
    }
    payload = json.dumps(
        fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str
    )
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def lift_update_trigger(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # Pending deferred foreign-key checks must run before ALTER TABLE.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_delete"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete")


def restore_update_trigger(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_no_update_delete"
        )
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def recreate_sqlite_triggers(apps, schema_editor):
    """Undoing this migration rebuilds the SQLite table again; put its triggers back after."""
    if schema_editor.connection.vendor == "sqlite":
        lift_update_trigger(schema_editor)
        restore_update_trigger(schema_editor)


def resign(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    lift_update_trigger(schema_editor)
    if AuditEvent.objects.filter(key_id="").exists():
        resign_rows(AuditEvent)
    restore_update_trigger(schema_editor)


def resign_rows(AuditEvent):
    key_id, key = signing_key()
    old_prev = new_prev = GENESIS_HASH
    expected = 1
    while True:
        batch = list(AuditEvent.objects.filter(seq__gte=expected).order_by("seq")[:BATCH])
        if not batch:
            break
        for event in batch:
            if event.seq != expected:
                raise RuntimeError(f"Audit trail broken at row {expected}: the row is missing.")
            if event.key_id or event.prev_hash != old_prev:
                raise RuntimeError(
                    f"Audit trail broken at row {event.seq}: its link to the previous row is "
                    "broken. Investigate before upgrading; nothing was re-signed."
                )
            if legacy_hash(event, old_prev) != event.hash:
                raise RuntimeError(
                    f"Audit trail broken at row {event.seq}: its content does not match its "
                    "hash. Investigate before upgrading; nothing was re-signed."
                )
            old_prev = event.hash
            event.key_id = key_id
            event.prev_hash = new_prev
            event.hash = row_hash(hashed_fields(event), new_prev, key)
            new_prev = event.hash
            expected += 1
        AuditEvent.objects.bulk_update(batch, ["key_id", "prev_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_triggers, elidable=False),
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(default="", editable=False, max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(resign, migrations.RunPython.noop, elidable=False),
    ]
