from typing import Any

from django.core.management.base import BaseCommand

from bollplank.notifications.alerts import engagement_alerts_due


class Command(BaseCommand):
    help = (
        "Tell supervisors and client contacts, once per crossing, of engagements whose meetings "
        "held and planned reached the practice's share of the order, or that have had nothing "
        "booked for the practice's number of weeks. For cron where the worker cannot defer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = engagement_alerts_due()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
