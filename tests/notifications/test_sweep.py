"""The outbox sweep runs inside the task worker (issue 9): stale claims go back to the queue and
due mail goes out with nothing but ``manage.py db_worker`` running, no cron. These run the real
django-tasks-db worker in this process against the test database."""

from __future__ import annotations

import datetime as dt
import signal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from bollplank.core import clock
from bollplank.notifications import outbox
from bollplank.notifications.enums import MailKind
from bollplank.notifications.models import OutgoingMail


@pytest.fixture
def db_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _sweeps(status: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=outbox.SWEEP_TASK_PATH, status=status))


def _orphan(to: str, *, claimed_minutes_ago: int | None) -> OutgoingMail:
    """A row the queue has no task for: claimed by a worker that was killed, or due with its
    task lost."""
    with scopes_disabled():
        return OutgoingMail.objects.create(
            kind=MailKind.OTHER,
            to=to,
            subject="S",
            text="T",
            status="sending" if claimed_minutes_ago is not None else "queued",
            attempts=1 if claimed_minutes_ago is not None else 0,
            claimed_at=(
                clock.now() - dt.timedelta(minutes=claimed_minutes_ago)
                if claimed_minutes_ago is not None
                else None
            ),
        )


def _status(row: OutgoingMail) -> str:
    with scopes_disabled():
        return OutgoingMail.objects.get(pk=row.pk).status


def _db_worker_batch() -> None:
    """``manage.py db_worker --batch``: runs what is ready, then exits (its signal handlers are
    put back, they are pytest's)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


@pytest.mark.django_db(transaction=True)
def test_db_worker_alone_sends_stale_claims_and_due_mail_and_keeps_the_sweep_going(
    db_tasks: None,
) -> None:
    stale = _orphan("stale@example.se", claimed_minutes_ago=11)
    fresh = _orphan("fresh@example.se", claimed_minutes_ago=1)  # its worker may still be sending
    due = _orphan("due@example.se", claimed_minutes_ago=None)
    assert _sweeps("READY") == []

    _db_worker_batch()

    assert _status(stale) == "sent" and _status(due) == "sent"
    assert _status(fresh) == "sending"
    assert sorted(m.to[0] for m in mail.outbox) == ["due@example.se", "stale@example.se"]
    # The sweep ran once, and left exactly one next sweep waiting, a sweep interval from now.
    assert len(_sweeps("SUCCESSFUL")) == 1
    (waiting,) = _sweeps("READY")
    wait = waiting.run_after - clock.now()
    assert dt.timedelta(seconds=50) < wait <= outbox.sweep_interval()


@pytest.mark.django_db(transaction=True)
def test_the_next_sweep_takes_the_claim_once_the_lease_is_over(
    db_tasks: None, settings: Any
) -> None:
    settings.MAIL_SWEEP_SECONDS = 0  # the next sweep is due at once
    fresh = _orphan("fresh@example.se", claimed_minutes_ago=1)
    call_command("send_due_mail", verbosity=0)  # (the same sweep, from cron: still works)
    assert _status(fresh) == "sending"
    settings.MAIL_LEASE_SECONDS = 30  # the lease is now over for this claim
    assert outbox.ensure_sweep(delay=dt.timedelta(0))
    from bollplank.notifications.tasks import deliver_due_mail

    deliver_due_mail.call()  # what the worker does with the waiting sweep
    assert _status(fresh) == "sent"
    assert [m.to[0] for m in mail.outbox] == ["fresh@example.se"]


@pytest.mark.django_db
def test_only_one_sweep_waits_however_often_it_is_started(db_tasks: None) -> None:
    assert outbox.ensure_sweep() is True
    assert outbox.ensure_sweep() is False
    assert outbox.ensure_sweep(delay=dt.timedelta(0)) is False
    assert len(_sweeps("READY")) == 1


@pytest.mark.django_db
def test_no_sweep_with_a_backend_that_cannot_defer() -> None:
    """The tests' immediate backend (and any non-database one): cron's send_due_mail then."""
    assert outbox.ensure_sweep() is False
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_a_failing_sweep_still_enqueues_the_next(db_tasks: None, monkeypatch: Any) -> None:
    from bollplank.notifications import tasks

    def broken(**kw: Any) -> dict[str, int]:
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "deliver_due", broken)
    with pytest.raises(RuntimeError):
        tasks.deliver_due_mail.call()
    assert len(_sweeps("READY")) == 1
