from django.apps import AppConfig
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
        # Every process watches its database writes, so that no kept page outlives one.
        from bollplank.core import pagecache  # noqa: F401

        # Every app's personal_data.py registers what it keeps about people
        # (core/personal_data_registry.py).
        autodiscover_modules("personal_data")
