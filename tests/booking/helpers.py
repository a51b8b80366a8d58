"""Builders for booking tests and the permission matrix: an individual engagement of the
world's participant (Pia) with the world's supervisor (Siv), who is open weekdays 09–17."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_scopes import scopes_disabled

from bollplank.booking import services
from bollplank.booking.models import BookingSettings, Place, WeeklyHours
from bollplank.core import clock
from bollplank.engagements.enums import Form, Venue
from bollplank.engagements.models import GroupMembership, Participant
from tests import factories as f


def individual(
    w: Any, *, ordered: int = 3, venue: str = Venue.SUPERVISOR_PREMISES, hours: bool = True
) -> Any:
    """Pia's individual engagement with Siv (60-minute meetings), bookable weekdays 09–17."""
    with scopes_disabled():
        today = clock.today()
        engagement = f.EngagementFactory(
            practice=w.practice,
            client=w.client,
            supervisor=w.supervisor,
            title="Enskild handledning Pia",
            form=Form.INDIVIDUAL,
            meeting_minutes=60,
            meetings_ordered=ordered,
            start_date=min(today, dt.date(2026, 1, 1)),
            end_date=max(today, dt.date(2026, 12, 31)) + dt.timedelta(days=400),
            venue=venue,
        )
        pia = Participant.objects.get(practice=w.practice, user=w.participant_user)
        GroupMembership.objects.create(
            practice=w.practice,
            engagement=engagement,
            participant=pia,
            joined_on=dt.date(2026, 1, 1),
        )
        if hours:
            open_weekdays(w)
    return engagement


def open_weekdays(w: Any, place: str = Place.PREMISES) -> None:
    with scopes_disabled():
        if WeeklyHours.objects.filter(supervisor=w.supervisor, place=place).exists():
            return
        for weekday in range(5):
            WeeklyHours.objects.create(
                practice=w.practice,
                supervisor=w.supervisor,
                weekday=weekday,
                start=dt.time(9),
                end=dt.time(17),
                place=place,
            )
        BookingSettings.objects.get_or_create(
            practice=w.practice,
            supervisor=w.supervisor,
            defaults={"notice_hours": 24, "horizon_days": 56, "buffer_minutes": 15},
        )


def booked(w: Any) -> Any:
    """A meeting Pia booked in her individual engagement, a few days ahead."""
    engagement = individual(w)
    with scopes_disabled():
        from bollplank.booking.selectors import free_times

        slot = free_times(engagement, now=clock.now()).slots()[10]
        return services.booking_book(
            actor=w.participant_user, engagement=engagement, starts_at=slot
        )


def hours_pk(w: Any) -> int:
    open_weekdays(w)
    with scopes_disabled():
        return WeeklyHours.objects.filter(supervisor=w.supervisor).first().pk  # type: ignore[union-attr]


def exception_pk(w: Any) -> int:
    with scopes_disabled():
        return services.exception_add(
            actor=w.supervisor,
            practice=w.practice,
            is_open=False,
            first_day=dt.date(2030, 1, 2),
            last_day=None,
            start=None,
            end=None,
            place="",
        ).pk


ICS_ONE = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//test//EN\r
BEGIN:VEVENT\r
UID:one@test\r
DTSTAMP:20260101T000000Z\r
DTSTART:20300102T090000Z\r
DTEND:20300102T100000Z\r
SUMMARY:Tandl\xc3\xa4kare (hemligt)\r
END:VEVENT\r
END:VCALENDAR\r
"""


def calendar_pk(w: Any, url: str = "") -> int:
    from bollplank.booking.models import OutsideCalendar

    with scopes_disabled():
        if url:
            cal = OutsideCalendar.objects.create(
                practice=w.practice, supervisor=w.supervisor, name="Privat", url=url
            )
            return cal.pk
        return services.calendar_upload(
            actor=w.supervisor, practice=w.practice, name="Privat", data=ICS_ONE
        ).pk


def used_link_token(w: Any) -> str:
    engagement = individual(w)
    with scopes_disabled():
        from bollplank.booking.selectors import free_times

        _link, token = services.link_create(
            actor=w.supervisor, engagement=engagement, label="Förfrågan"
        )
        slot = free_times(engagement, now=clock.now()).slots()[3]
        services.link_book(token=token, starts_at=slot)
    return token


def open_link_token(w: Any) -> str:
    engagement = individual(w)
    with scopes_disabled():
        _link, token = services.link_create(
            actor=w.supervisor, engagement=engagement, label="Förfrågan"
        )
    return token


def first_talk_token(w: Any, *, book: bool = False) -> str:
    """A first-talk link sent from an inquiry for Siv (open weekdays by video); booked if
    ``book``."""
    from bollplank.booking import firsttalk
    from bollplank.booking.selectors import first_talk_free_times
    from tests.directory.helpers import inquiry

    open_weekdays(w, Place.VIDEO)
    asked = inquiry(w.practice, name="Vera Besökare", email="vera@example.se")
    with scopes_disabled():
        _link, token = firsttalk.link_send(actor=w.admin, inquiry=asked, supervisor=w.supervisor)
        if book:
            free = first_talk_free_times(w.practice, w.supervisor, now=clock.now())
            services.link_book(token=token, starts_at=free.slots()[3])
    return token
