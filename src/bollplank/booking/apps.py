from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "bollplank.booking"
    label = "booking"
    verbose_name = _("self-booking")

    def ready(self) -> None:
        from bollplank.booking.services import ensure_refresh_chain
        from bollplank.core.periodic import keep_going

        # Restarted by the worker if lost (core.periodic): no cron.
        keep_going("outside-calendar refresh", ensure_refresh_chain)
