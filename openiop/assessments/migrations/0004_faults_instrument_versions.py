"""Load the shipped instruments' new versions (ASQ 1.1.0: a declined or blank answer screens
positive; PHQ-9 1.1.0: alert rules by item 9's answer) and make them the current versions.

Responses keep pointing at the version they were answered with. On a new database 0003 has
already loaded these versions from the files, so this only makes sure they are current.
"""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "instruments"
CHANGED = ("asq.json", "phq-9.json")


def load(apps, schema_editor):
    from openiop.assessments.definitions import parse_definition

    InstrumentDefinition = apps.get_model("assessments", "InstrumentDefinition")
    for path in (SHIPPED / name for name in CHANGED):
        definition = parse_definition(path.read_text(encoding="utf-8"), source=path.name)
        row, _ = InstrumentDefinition.objects.get_or_create(
            key=definition.id,
            version=definition.version,
            defaults={
                "title": definition.title,
                "source": json.loads(json.dumps(definition.raw)),
                "validated": definition.validated,
                "shipped": True,
            },
        )
        InstrumentDefinition.objects.filter(key=definition.id).exclude(pk=row.pk).update(
            is_active=False
        )
        if not row.is_active:
            row.is_active = True
            row.save(update_fields=["is_active"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_shipped_instruments")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
