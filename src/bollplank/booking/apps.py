from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "bollplank.booking"
    label = "booking"
    verbose_name = _("self-booking")

    def ready(self) -> None:
        from bollplank.booking.selectors import (
            first_talk_clash,
            first_talks_between,
            first_talks_for_feed,
        )
        from bollplank.booking.services import ensure_refresh_chain
        from bollplank.core.periodic import keep_going
        from bollplank.meetings.commitments import CommitmentKind, commitment_kind_register

        # First talks block a supervisor's time and show in calendars as meetings do.
        commitment_kind_register(
            CommitmentKind(
                clash=first_talk_clash, between=first_talks_between, for_feed=first_talks_for_feed
            )
        )

        # Restarted by the worker if lost (core.periodic): no cron.
        keep_going("outside-calendar refresh", ensure_refresh_chain)
