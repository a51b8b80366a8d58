"""``manage.py db_worker``: django-tasks-db's worker, which first hands stale outbox claims
back to the queue and starts the outbox sweep, so that mail a killed worker left behind, and
mail that is due, goes out with nothing but the worker running (no cron); it also restarts
the other repeating chains registered in core.periodic, and seals the audit log in a thread of
its own every few seconds (core.audit)."""

import datetime as dt
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from bollplank.core.audit import start_sealer
from bollplank.core.periodic import ensure_chains
from bollplank.notifications.outbox import ensure_sweep, release_stale_claims


class Command(DBWorkerCommand):
    help = (
        DBWorkerCommand.help
        + ". Bollplank: also keeps the e-mail outbox's sweep going (stale claims back to the "
        "queue, due mail sent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        release_stale_claims()
        # At once: a worker that was down may have left due mail and stale claims behind.
        ensure_sweep(delay=dt.timedelta(0))
        # And every other repeating chain (calendar refresh, check-in reminders) that a killed
        # worker lost.
        ensure_chains()
        # A thread, not a repeating task: a task row written every few seconds would be a
        # write of its own, and sealing must go on while long tasks run.
        stop = start_sealer()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
