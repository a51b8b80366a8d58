from typing import Any

from django.core.management.base import BaseCommand

from bollplank.mentoring.reminders import checkin_reminders_due


class Command(BaseCommand):
    help = (
        "Queue an e-mail to each member of a mentoring pair who has not answered the check-in "
        "that is due, once per check-in and person (running it again sends nothing twice). "
        "Run it daily from cron beside send_due_mail."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = checkin_reminders_due()
        self.stdout.write(
            f"{counts['reminders']} check-in reminders queued "
            f"({counts['programmes']} published programmes running)"
        )
