from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "bollplank.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from bollplank.core.periodic import watch_chains

        # Repeating work (outbox sweep, calendar refresh, check-in reminders) restarts itself
        # after a lost run with nothing but the worker (no cron): see core.periodic.
        task_finished.connect(watch_chains, dispatch_uid="core.watch_chains")

        _guard_form_text()
        if any(db["ENGINE"].endswith("postgresql") for db in settings.DATABASES.values()):
            # Date-times read with psycopg's compiled parser (core/pgtime.py).
            from bollplank.core import pgtime

            pgtime.install()
        # Every app's personal_data.py registers what it keeps about people
        # (core/personal_data_registry.py).
        autodiscover_modules("personal_data")
        # ... and each app's documents.py what it adds to a certificate (core/documents.py).
        autodiscover_modules("documents")


def _guard_form_text() -> None:
    """Every text field of every form (ours, allauth's, the admin's) refuses control
    characters, in one place rather than field by field: a multi-line field (a textarea) may
    hold tabs and line breaks, a one-line field nothing of the kind. The check runs after the
    field's own validators, so the form shows it beside the field like any other error."""
    from django import forms

    from bollplank.core.validators import validate_no_control_characters

    if getattr(forms.CharField.run_validators, "guards_control_characters", False):
        return
    checked = forms.CharField.run_validators

    def run_validators(self: forms.CharField, value: Any) -> None:
        checked(self, value)
        if value not in self.empty_values:
            validate_no_control_characters(value, multiline=isinstance(self.widget, forms.Textarea))

    run_validators.guards_control_characters = True  # type: ignore[attr-defined]
    forms.CharField.run_validators = run_validators  # type: ignore[method-assign,assignment]
