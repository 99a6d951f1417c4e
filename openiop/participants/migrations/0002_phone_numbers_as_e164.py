from django.db import migrations

import openiop.lib.phone


def to_e164(apps, schema_editor):
    """Values that do not parse stay as typed; `manage.py check --database default` lists them."""
    Participant = apps.get_model("participants", "Participant")
    openiop.lib.phone.rewrite_as_e164(
        Participant.objects.all(), ("phone", "emergency_contact_phone")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="participant",
            name="emergency_contact_phone",
            field=openiop.lib.phone.PhoneField(blank=True, max_length=32, region=None),
        ),
        migrations.AlterField(
            model_name="participant",
            name="phone",
            field=openiop.lib.phone.PhoneField(blank=True, max_length=32, region=None),
        ),
        migrations.RunPython(to_e164, migrations.RunPython.noop),
    ]
