from django.db import migrations, models
from django.db.models import Q


def label_existing_notes(apps, schema_editor):
    """Label the notes already written in (or for a participant of) a Part 2 program, as
    notes.labels.note_is_part2 labels new ones."""
    Note = apps.get_model("notes", "Note")
    Note.objects.filter(
        Q(session__program__part2_program=True) | Q(participant__program__part2_program=True)
    ).update(part2=True)


class Migration(migrations.Migration):
    dependencies = [
        ("notes", "0003_psych_encrypted_check"),
        ("programs", "0005_program_part2_program"),
        ("scheduling", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="part2",
            field=models.BooleanField(default=False, verbose_name="42 CFR Part 2 record"),
        ),
        migrations.RunPython(label_existing_notes, migrations.RunPython.noop, elidable=True),
    ]
