from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "bollplank.mentoring"
    label = "mentoring"
    verbose_name = _("mentoring programmes")

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from bollplank.mentoring.tasks import watch_chain

        # Keeps the check-in reminder sweep going with nothing but the worker (no cron).
        task_finished.connect(watch_chain, dispatch_uid="mentoring.watch_reminder_chain")
