from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "bollplank.notifications"
    label = "notifications"
    verbose_name = _("notifications")

    def ready(self) -> None:
        from bollplank.core import mail
        from bollplank.core.periodic import keep_going
        from bollplank.meetings.signals import meeting_changed, series_planned, summary_published
        from bollplank.notifications import alerts, meetings, outbox, series

        # Every app's core.mail.queue_mail writes to this outbox.
        mail.outbox_install(outbox.queue_mail)
        meeting_changed.connect(meetings.on_meeting_changed, dispatch_uid="notify_meeting")
        series_planned.connect(series.on_series_planned, dispatch_uid="notify_series")
        summary_published.connect(meetings.on_summary_published, dispatch_uid="notify_summary")
        # The outbox sweep restarts itself after a lost run (core.periodic): no cron.
        keep_going("outbox sweep", outbox.ensure_sweep)
        keep_going("engagement notices", alerts.ensure_alert_chain)
