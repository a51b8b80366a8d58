"""Outside calendars are refreshed by the task worker alone (no cron): a task that queues the
due fetches and enqueues its own next run, at most one waiting."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled
from django_tasks_db.models import DBTaskResult

from bollplank.booking import outside, services, tasks
from bollplank.booking.models import OutsideCalendar
from bollplank.core import clock
from tests.booking.helpers import ICS_ONE

CHAIN = "bollplank.booking.tasks.refresh_due_calendars"
FETCH = "bollplank.booking.tasks.refresh_outside_calendar"


@pytest.fixture
def db_backend(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def waiting(path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=path, status="READY"))


def subscribed(w: Any, name: str, last_attempt: dt.datetime | None) -> OutsideCalendar:
    with scopes_disabled():
        return OutsideCalendar.objects.create(
            practice=w.practice,
            supervisor=w.supervisor,
            name=name,
            url=f"https://calendar.invalid/{name}.ics",
            last_attempt_at=last_attempt,
        )


def test_one_run_waits_however_often_it_is_asked(world: Any, db_backend: None) -> None:
    assert services.ensure_refresh_chain() is True
    assert services.ensure_refresh_chain() is False
    [run] = waiting(CHAIN)
    ahead = run.run_after - clock.now()
    assert dt.timedelta(minutes=14) < ahead <= services.CHAIN_INTERVAL


def test_a_run_queues_due_calendars_and_its_next_run(world: Any, db_backend: None) -> None:
    now = clock.now()
    stale = subscribed(world, "gammal", now - dt.timedelta(hours=2))
    never = subscribed(world, "ny", None)
    subscribed(world, "farsk", now - dt.timedelta(minutes=10))
    with scopes_disabled():
        OutsideCalendar.objects.create(  # a file: never fetched
            practice=world.practice, supervisor=world.supervisor, name="fil"
        )
    assert tasks.refresh_due_calendars.call() == 2
    queued = sorted(r.args_kwargs["kwargs"]["calendar_id"] for r in waiting(FETCH))
    assert queued == sorted([stale.pk, never.pk])
    assert len(waiting(CHAIN)) == 1


def test_the_next_run_is_enqueued_even_when_a_run_fails(
    world: Any, db_backend: None, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> int:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "refresh_due", broken)
    with pytest.raises(RuntimeError):
        tasks.refresh_due_calendars.call()
    assert len(waiting(CHAIN)) == 1


def test_a_finished_task_restarts_a_lost_chain(world: Any, db_backend: None) -> None:
    from bollplank.core import periodic

    periodic._last_watch = None
    periodic.watch_chains(sender=None)
    assert len(waiting(CHAIN)) == 1
    DBTaskResult.objects.all().delete()
    periodic.watch_chains(sender=None)  # within WATCH_SECONDS: no query, nothing enqueued
    assert waiting(CHAIN) == []


def test_subscribing_and_the_calendars_page_start_the_chain(
    world: Any, db_backend: None, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        services.calendar_subscribe(
            actor=world.supervisor,
            practice=world.practice,
            name="Jobb",
            url="https://calendar.example.com/jobb.ics",
        )
    assert len(waiting(CHAIN)) == 1 and len(waiting(FETCH)) == 1
    DBTaskResult.objects.all().delete()
    client.force_login(world.supervisor)
    assert client.get(reverse("booking_calendars", args=[world.practice.slug])).status_code == 200
    assert len(waiting(CHAIN)) == 1


def test_immediate_backend_has_no_chain(world: Any) -> None:
    assert services.ensure_refresh_chain() is False
    assert not DBTaskResult.objects.exists()


def test_due_calendars_are_fetched(world: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(outside, "fetch", lambda url: ICS_ONE)
    cal = subscribed(world, "gammal", clock.now() - dt.timedelta(hours=2))
    assert services.refresh_due(older_than=dt.timedelta(hours=1)) == 1
    with scopes_disabled():
        cal.refresh_from_db()
    assert cal.last_success_at is not None and cal.last_error == ""


def test_command_starts_the_chain(world: Any, db_backend: None, capsys: Any) -> None:
    subscribed(world, "gammal", None)
    call_command("refresh_outside_calendars")
    assert "1 outside calendars queued" in capsys.readouterr().out
    assert len(waiting(CHAIN)) == 1
