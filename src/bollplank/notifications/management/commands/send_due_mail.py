from typing import Any

from django.core.management.base import BaseCommand

from bollplank.notifications.outbox import deliver_due


class Command(BaseCommand):
    help = (
        "Send every e-mail in the outbox that is due, after returning to the queue those a "
        "stopped worker had claimed but not sent. Safe to run from cron beside the worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = deliver_due()
        self.stdout.write(
            ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing due"
        )
