from typing import Any

from django.core.management.base import BaseCommand

from bollplank.mentoring.reminders import checkin_reminders_due, ensure_reminder_chain


class Command(BaseCommand):
    help = (
        "Queue an e-mail to each member of a mentoring pair who has not answered the check-in "
        "that is due, once per check-in and person (running it again sends nothing twice). "
        "The task worker does this every hour by itself; this also restarts that chain if it "
        "was lost. With a task backend that cannot run work later, run it hourly from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = checkin_reminders_due()
        ensure_reminder_chain()
        self.stdout.write(
            f"{counts['reminders']} check-in reminders queued "
            f"({counts['programmes']} published programmes running)"
        )
