from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "bollplank.booking"
    label = "booking"
    verbose_name = _("self-booking")

    def ready(self) -> None:
        from django_tasks.signals import task_finished

        from bollplank.booking.tasks import watch_chain

        # Keeps the outside-calendar refresh going with nothing but the worker (no cron).
        task_finished.connect(watch_chain, dispatch_uid="booking.watch_refresh_chain")
