from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("safety", "0002_keep_alerts")]

    operations = [
        migrations.AddField(
            model_name="alerttrigger",
            name="signal",
            field=models.CharField(
                choices=[
                    ("answer_saved", "Critical answer saved (not yet submitted)"),
                    ("response_submitted", "Response submitted"),
                    ("concern", "Clinician's concern"),
                ],
                default="concern",
                max_length=24,
            ),
            preserve_default=False,
        ),
    ]
