"""Load the instruments that ship with OpenIOP (files in openiop/assessments/instruments)."""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = Path(__file__).resolve().parent.parent / "instruments"


def load(apps, schema_editor):
    from openiop.assessments.definitions import parse_definition

    InstrumentDefinition = apps.get_model("assessments", "InstrumentDefinition")
    for path in sorted(SHIPPED.glob("*.json")):
        definition = parse_definition(path.read_text(encoding="utf-8"), source=path.name)
        InstrumentDefinition.objects.get_or_create(
            key=definition.id,
            version=definition.version,
            defaults={
                "title": definition.title,
                "source": json.loads(json.dumps(definition.raw)),
                "validated": definition.validated,
                "shipped": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_freeze_submitted_responses")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
