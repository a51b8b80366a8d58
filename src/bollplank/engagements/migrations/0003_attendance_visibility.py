from django.db import migrations, models


def agree_on_existing(apps, schema_editor):
    # Groups keep what the client saw before (per meeting); for individual supervision the
    # per-meeting figure is the named person's attendance, so it becomes counts per term.
    Engagement = apps.get_model("engagements", "Engagement")
    Engagement.objects.filter(form="individual").update(attendance_visibility="term_counts")


class Migration(migrations.Migration):
    dependencies = [
        ("engagements", "0002_submission_deadline"),
    ]

    operations = [
        migrations.AddField(
            model_name="engagement",
            name="attendance_visibility",
            field=models.CharField(
                blank=True,
                choices=[
                    ("nothing", "nothing"),
                    ("term_counts", "counts per term"),
                    ("per_meeting", "per meeting"),
                ],
                default="per_meeting",
                max_length=12,
                verbose_name="what the client sees of attendance",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(agree_on_existing, migrations.RunPython.noop),
    ]
