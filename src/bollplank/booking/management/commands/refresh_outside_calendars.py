from typing import Any

from django.core.management.base import BaseCommand

from bollplank.booking.services import refresh_all


class Command(BaseCommand):
    help = (
        "Queue a refresh of every subscribed outside calendar for the task worker. Run it "
        "from cron, e.g. hourly; a calendar that cannot be fetched keeps its last busy times."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = refresh_all()
        self.stdout.write(f"{count} outside calendars queued for refresh.")
