"""Work the task worker repeats on its own, without cron: a task that enqueues its own next run
(django-tasks' ``run_after``), with at most one run waiting at a time however many workers,
pages or earlier runs ask for one. Only the database backend can defer a task and be asked
what waits; with another backend ``ensure_pending`` does nothing and cron runs the
management command instead."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone

logger = logging.getLogger(__name__)


def ensure_pending(task: Any, *, delay: dt.timedelta) -> bool:
    """Enqueue ``task`` (no arguments) ``delay`` from now unless a run of it is already
    waiting. Returns whether it enqueued one.

    Two callers at the same instant can both find none waiting and enqueue two runs: harmless
    for idempotent work like a refresh (the next run finds one waiting again and the chain
    is back to one)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    if DBTaskResult.objects.filter(task_path=task.module_path, status="READY").exists():
        return False
    task.using(run_after=timezone.now() + delay).enqueue()
    return True
