"""Repeating work restarts itself with nothing but the worker (no cron): every app registers its
chain in core.periodic, and the worker restarts the lost ones at its start and after tasks."""

from __future__ import annotations

from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from bollplank.core import periodic

CHAINS = {
    "bollplank.billing.tasks.deliver_due_invoices",
    "bollplank.notifications.tasks.deliver_due_mail",
    "bollplank.booking.tasks.refresh_due_calendars",
    "bollplank.mentoring.tasks.sweep_checkin_reminders",
    "bollplank.notifications.tasks.sweep_engagement_alerts",
    "bollplank.billing.tasks.run_reminders",
}


@pytest.fixture
def db_backend(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _waiting() -> list[str]:
    return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))


@pytest.mark.django_db
def test_every_lost_chain_is_restarted_once(db_backend: None) -> None:
    assert sorted(periodic.ensure_chains()) == [
        "check-in reminder",
        "engagement notices",
        "invoice deliveries",
        "outbox sweep",
        "outside-calendar refresh",
        "payment reminders",
    ]
    assert _waiting() == sorted(CHAINS)
    # Asked again (another worker starting, another task finishing): nothing more waits.
    assert periodic.ensure_chains() == []
    assert _waiting() == sorted(CHAINS)


@pytest.mark.django_db
def test_a_finished_task_restarts_lost_chains_at_most_every_few_minutes(db_backend: None) -> None:
    periodic._last_watch = None
    periodic.watch_chains(sender=None)
    assert _waiting() == sorted(CHAINS)
    DBTaskResult.objects.all().delete()
    periodic.watch_chains(sender=None)  # within WATCH_SECONDS: nothing is asked
    assert _waiting() == []


@pytest.mark.django_db
def test_the_first_watch_restarts_lost_chains_on_a_machine_just_booted(
    db_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monotonic time counts from boot: a worker on a machine up for a minute still watches at
    its first finished task (it once waited until the machine had been up WATCH_SECONDS)."""
    periodic._last_watch = None
    monkeypatch.setattr(periodic.time, "monotonic", lambda: 60.0)
    periodic.watch_chains(sender=None)
    assert _waiting() == sorted(CHAINS)


@pytest.mark.django_db
def test_one_broken_chain_keeps_no_other_down(
    db_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> bool:
        raise RuntimeError("database hiccup")

    monkeypatch.setitem(periodic._chains, "outbox sweep", broken)
    assert sorted(periodic.ensure_chains()) == [
        "check-in reminder",
        "engagement notices",
        "invoice deliveries",
        "outside-calendar refresh",
        "payment reminders",
    ]
