"""Background work of the booking app (run by ``manage.py db_worker``)."""

from __future__ import annotations

from django_scopes import scope, scopes_disabled
from django_tasks import task


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
