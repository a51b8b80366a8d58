"""The conversation models that ship with Bollplank (facilitation/shipped.py)."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from bollplank.facilitation.shipped import install

    install(apps.get_model("facilitation", "ConversationModel"), apps.get_model("facilitation", "Step"))


def backwards(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("facilitation", "ConversationModel")
    model._base_manager.filter(practice__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("facilitation", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
