from typing import Any

from django.core.management.base import BaseCommand

from bollplank.billing.services.reminders import reminder_run


class Command(BaseCommand):
    help = (
        "Send a payment reminder for every overdue invoice due for one, in every practice with "
        "reminders on (its days, interval and most per invoice); run twice on a day it sends "
        "nothing more. For cron once a day where the worker cannot defer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reminder_run()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
