"""The questionnaires that ship with Bollplank (evaluations/shipped.py)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from bollplank.evaluations.shipped import install

    install(
        apps.get_model("evaluations", "Questionnaire"),
        apps.get_model("evaluations", "Section"),
        apps.get_model("evaluations", "Question"),
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("evaluations", "Questionnaire")
    model._base_manager.filter(practice__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
