from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "bollplank.mentoring"
    label = "mentoring"
    verbose_name = _("mentoring programmes")

    def ready(self) -> None:
        from bollplank.core.periodic import keep_going
        from bollplank.mentoring.reminders import ensure_reminder_chain

        # Restarted by the worker if lost (core.periodic): no cron.
        keep_going("check-in reminder", ensure_reminder_chain)
