"""Work the task worker repeats on its own, without cron: a task that enqueues its own next run
(django-tasks' ``run_after``), with at most one run waiting at a time however many workers,
pages or earlier runs ask for one. Only the database backend can defer a task and be asked
what waits; with another backend ``ensure_pending`` does nothing and cron runs the
management command instead."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from bollplank.core import clock

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
    task.using(run_after=clock.now() + delay).enqueue()
    return True


# --- keeping chains alive -------------------------------------------------------------------
# A worker killed in the middle of a run leaves no next run waiting: the chain is lost. Each
# app registers how to restart its chain; the worker restarts every lost chain when it starts
# (manage.py db_worker) and, at most every WATCH_SECONDS, after any task it finishes.

WATCH_SECONDS = 300
_chains: dict[str, Callable[[], bool]] = {}
# None until the first watch: monotonic time counts from boot, so on a machine up for less
# than WATCH_SECONDS a start value of 0 would skip the first watch.
_last_watch: float | None = None


def keep_going(name: str, ensure: Callable[[], bool]) -> None:
    """Register ``ensure`` (enqueue the chain's next run unless one waits) under ``name``."""
    _chains[name] = ensure


def ensure_chains() -> list[str]:
    """Restart every registered chain that has no run waiting; returns the restarted ones."""
    restarted = []
    for name, ensure in list(_chains.items()):
        try:
            if ensure():
                restarted.append(name)
        except Exception:  # one broken chain must not keep the others (or the worker) down
            logger.exception("Could not check the %s chain", name)
    return restarted


def watch_chains(sender: Any = None, **kwargs: Any) -> None:
    """django-tasks' task_finished receiver: restart lost chains, at most every WATCH_SECONDS."""
    global _last_watch
    now = time.monotonic()
    if _last_watch is not None and now - _last_watch < WATCH_SECONDS:
        return
    _last_watch = now
    ensure_chains()
