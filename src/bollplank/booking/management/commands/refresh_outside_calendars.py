from typing import Any

from django.core.management.base import BaseCommand

from bollplank.booking.services import ensure_refresh_chain, refresh_all


class Command(BaseCommand):
    help = (
        "Queue a refresh of every subscribed outside calendar for the task worker now. Not "
        "needed for regular refreshing with the database task backend (the worker refreshes "
        "them itself every hour); with another backend, run it from cron, e.g. hourly. A "
        "calendar that cannot be fetched keeps its last busy times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = refresh_all()
        started = ensure_refresh_chain()
        self.stdout.write(f"{count} outside calendars queued for refresh.")
        if started:
            self.stdout.write("The worker's own hourly refresh was not waiting; it is now.")
