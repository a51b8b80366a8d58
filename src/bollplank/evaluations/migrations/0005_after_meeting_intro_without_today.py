"""The shipped after-meeting check no longer calls the meeting "today's": it is often answered
on a later day. Only the untouched shipped text is changed."""

from django.db import migrations

OLD = (
    "Fyra korta frågor om dagens träff. Det tar under en minut.",
    "Four short questions about today's meeting. It takes less than a minute.",
)
NEW = (
    "Fyra korta frågor om träffen. Det tar under en minut.",
    "Four short questions about the meeting. It takes less than a minute.",
)


def _replace(apps, old, new):
    questionnaire = apps.get_model("evaluations", "Questionnaire")
    rows = questionnaire._base_manager.filter(practice__isnull=True, key="after-meeting")
    rows.filter(intro_sv=old[0]).update(intro_sv=new[0])
    rows.filter(intro_en=old[1]).update(intro_en=new[1])


def forwards(apps, schema_editor):
    _replace(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _replace(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_hours_signoff")]

    operations = [migrations.RunPython(forwards, backwards)]
