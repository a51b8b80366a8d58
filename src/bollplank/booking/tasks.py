"""Background work of the booking app (run by ``manage.py db_worker``).

Subscribed outside calendars are refreshed by the worker alone: ``refresh_due_calendars``
runs every ``CHAIN_INTERVAL``, queues a fetch of every calendar not tried for
``refresh_interval()``, and enqueues its own next run (core.periodic). The chain is (re)started
when a calendar is subscribed, when a supervisor opens their calendars page, and by the worker
(core.periodic: when it starts, and after a task at most every few minutes per process), so a
chain lost with a killed worker comes back by itself. Cron with ``refresh_outside_calendars``
still works too."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled
from django_tasks import task

from bollplank.booking import services
from bollplank.booking.models import OutsideCalendar


@task()
def refresh_outside_calendar(*, calendar_id: int) -> bool:
    """Fetch one subscribed outside calendar again (a removed one is skipped)."""
    with scopes_disabled():
        calendar = OutsideCalendar.objects.select_related("practice").filter(pk=calendar_id).first()
    if calendar is None or not calendar.url:
        return False
    with scope(practice=calendar.practice):
        return services.calendar_refresh(calendar=calendar)


@task()
def refresh_due_calendars() -> int:
    """Queue a fetch of every subscribed calendar that is due, then the next run of this."""
    try:
        return services.refresh_due(older_than=services.refresh_interval())
    finally:
        services.ensure_refresh_chain()
