"""Background work of the booking app (run by ``manage.py db_worker``).

Subscribed outside calendars are refreshed by the worker alone: ``refresh_due_calendars``
runs every ``CHAIN_INTERVAL``, queues a fetch of every calendar not tried for
``refresh_interval()``, and enqueues its own next run (core.periodic). The chain is (re)started
when a calendar is subscribed, when a supervisor opens their calendars page, and by the worker
(core.periodic: when it starts, and after a task at most every few minutes per process), so a
chain lost with a killed worker comes back by itself. Cron with ``refresh_outside_calendars``
still works too."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django_scopes import scope, scopes_disabled
from django_tasks import task

CHAIN_INTERVAL = dt.timedelta(minutes=15)
# How often a finished task in a worker process may check that the chain is still there.


def refresh_interval() -> dt.timedelta:
    """How old a calendar's last fetch may be before it is fetched again (default an hour)."""
    return dt.timedelta(minutes=getattr(settings, "BOOKING_CALENDAR_REFRESH_MINUTES", 60))


@task()
def refresh_outside_calendar(*, calendar_id: int) -> bool:
    """Fetch one subscribed outside calendar again (a removed one is skipped)."""
    from bollplank.booking.models import OutsideCalendar
    from bollplank.booking.services import calendar_refresh

    with scopes_disabled():
        calendar = OutsideCalendar.objects.select_related("practice").filter(pk=calendar_id).first()
    if calendar is None or not calendar.url:
        return False
    with scope(practice=calendar.practice):
        return calendar_refresh(calendar=calendar)


@task()
def refresh_due_calendars() -> int:
    """Queue a fetch of every subscribed calendar that is due, then the next run of this."""
    from bollplank.booking.services import refresh_due

    try:
        return refresh_due(older_than=refresh_interval())
    finally:
        ensure_refresh_chain()


def ensure_refresh_chain(*, delay: dt.timedelta = CHAIN_INTERVAL) -> bool:
    """Make sure a run of ``refresh_due_calendars`` is waiting (database task backend only)."""
    from bollplank.core.periodic import ensure_pending

    return ensure_pending(refresh_due_calendars, delay=delay)
