import django.db.models.deletion
from django.db import migrations, models

import bollplank.meetings.models


def give_rooms(apps, schema_editor):
    # One random room per existing meeting: a default on AddField would give them all the same.
    meeting = apps.get_model("meetings", "Meeting")
    for pk in meeting.objects.filter(video_room__isnull=True).values_list("pk", flat=True):
        meeting.objects.filter(pk=pk).update(video_room=bollplank.meetings.models.new_video_room())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_audit_drop_sha_chain"),
        ("meetings", "0004_meeting_correction"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="video_room",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(give_rooms, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="meeting",
            name="video_room",
            field=models.CharField(
                default=bollplank.meetings.models.new_video_room,
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
        migrations.CreateModel(
            name="VideoServer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("base_url", models.URLField(max_length=200, verbose_name="server address")),
                ("app_id", models.CharField(max_length=100, verbose_name="app id")),
                ("secret_encrypted", models.TextField()),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "practice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="video_server",
                        to="core.practice",
                    ),
                ),
            ],
        ),
    ]
