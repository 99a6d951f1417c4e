from django.db import migrations

import openiop.lib.phone


def to_e164(apps, schema_editor):
    """Values that do not parse stay as typed; `manage.py check --database default` lists them."""
    Attendance = apps.get_model("telehealth", "Attendance")
    openiop.lib.phone.rewrite_as_e164(Attendance.objects.all(), ("callback_phone",))


class Migration(migrations.Migration):
    dependencies = [
        ("telehealth", "0002_assigned_feeds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attendance",
            name="callback_phone",
            field=openiop.lib.phone.PhoneField(max_length=32, region=None),
        ),
        migrations.RunPython(to_e164, migrations.RunPython.noop),
    ]
