"""A series planned at once is one invitation per person: every date in the text and the HTML,
one calendar file with one VEVENT per meeting (distinct UIDs, METHOD:REQUEST). A later move or
cancellation of one meeting is an update of that event alone (same UID, higher SEQUENCE)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from django.core import mail
from django_scopes import scope, scopes_disabled

from bollplank.engagements.models import GroupMembership
from bollplank.meetings import services as meeting_services
from bollplank.meetings.models import Meeting
from tests import factories as f
from tests import timecontrol as tc
from tests.conftest import World
from tests.notifications.test_notifications import _calendar, _rows

STOCKHOLM = ZoneInfo("Europe/Stockholm")
GROUP = ["deltagare-a@solbacka.se", "deltagare-b@solbacka.se", "pia@solbacka.se"]


def _group_of_four(world: World) -> list[str]:
    """The world's group (Pia and one more) grown to four members with addresses."""
    for email in GROUP[:2]:
        f.GroupMembershipFactory(
            engagement=world.engagement,
            participant=f.ParticipantFactory(practice=world.practice, email=email),
        )
    with scopes_disabled():
        emails = GroupMembership.objects.filter(engagement=world.engagement).values_list(
            "participant__email", flat=True
        )
        found = sorted(emails)
    assert len(found) == 4 and set(GROUP) <= set(found)
    return found


def _plan_series(world: World, capture: Any, count: int = 8) -> list[Meeting]:
    first = tc.workday_after(8)
    chosen = [
        meeting_services.ChosenMeeting(first + dt.timedelta(weeks=i), dt.time(9, 0))
        for i in range(count)
    ]
    with capture(execute=True), scope(practice=world.practice):
        return meeting_services.meetings_create_series(
            actor=world.supervisor, engagement=world.engagement, chosen=chosen
        )


def _events(message: Any) -> tuple[icalendar.Calendar, list[Any]]:
    cal = icalendar.Calendar.from_ical(_calendar(message))
    return cal, list(cal.walk("VEVENT"))


def test_series_of_eight_for_group_of_four_is_four_mails_with_eight_events(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    people = _group_of_four(world)

    meetings = _plan_series(world, django_capture_on_commit_callbacks)

    assert len(meetings) == 8
    assert sorted(m.to[0] for m in mail.outbox) == people
    uids = [f"{m.uid}@bollplank" for m in meetings]
    for message in mail.outbox:
        cal, events = _events(message)
        assert str(cal["METHOD"]) == "REQUEST"
        assert [str(e["UID"]) for e in events] == uids
        assert [int(e["SEQUENCE"]) for e in events] == [0] * 8
        assert [e.decoded("DTSTART") for e in events] == [
            m.starts_at.astimezone(STOCKHOLM) for m in meetings
        ]
        attendees = {str(e["ATTENDEE"]) for e in events}
        assert attendees == {f"mailto:{message.to[0]}"}
        assert message.subject == "8 nya träffar: Lärarlaget åk 4–6"
        html = next(body for body, kind in message.alternatives if kind == "text/html")
        for meeting in meetings:
            link = f"/p/ekbacken/meetings/{meeting.pk}/"
            assert link in message.body and link in html
        assert message.body.count("\n- ") == 8
        assert html.count("<li>") == 8
    # Each meeting still has its own reminder and call for questions per person.
    queued = _rows(status="queued")
    assert sorted({m.kind for m in queued}) == ["questions", "reminder"]
    assert len(queued) == 4 * 8 * 2


def test_moving_one_meeting_of_a_series_updates_only_that_event(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    people = _group_of_four(world)
    meetings = _plan_series(world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    third = meetings[2]
    day = third.starts_at.astimezone(STOCKHOLM).date()

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_reschedule(
            actor=world.supervisor, meeting=third, day=day, time=dt.time(13), minutes=120
        )

    assert sorted(m.to[0] for m in mail.outbox) == people
    for message in mail.outbox:
        cal, (event,) = _events(message)
        assert str(cal["METHOD"]) == "REQUEST"
        assert str(event["UID"]) == f"{third.uid}@bollplank"
        assert int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART") == dt.datetime.combine(day, dt.time(13), STOCKHOLM)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_cancel(
            actor=world.supervisor, meeting=third, cancelled_by="supervisor", reason="Sjuk"
        )

    assert sorted(m.to[0] for m in mail.outbox) == people
    for message in mail.outbox:
        cal, (event,) = _events(message)
        assert str(cal["METHOD"]) == "CANCEL"
        assert (str(event["UID"]), int(event["SEQUENCE"])) == (f"{third.uid}@bollplank", 2)


def test_series_planned_by_a_colleague_sends_the_supervisor_one_copy(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    first = tc.workday_after(8)
    chosen = [
        meeting_services.ChosenMeeting(first + dt.timedelta(weeks=i), dt.time(9)) for i in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meetings_create_series(
            actor=world.admin, engagement=world.engagement, chosen=chosen
        )

    to_supervisor = [m for m in mail.outbox if m.to == [world.supervisor.email]]
    assert len(to_supervisor) == 1
    _cal, events = _events(to_supervisor[0])
    assert len(events) == 3


def test_member_who_joins_mid_series_is_invited_to_their_meetings_only(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    first = tc.workday_after(8)
    f.GroupMembershipFactory(
        engagement=world.engagement,
        participant=f.ParticipantFactory(practice=world.practice, email="sen@solbacka.se"),
        joined_on=first + dt.timedelta(weeks=2),
    )

    meetings = _plan_series(world, django_capture_on_commit_callbacks, count=4)

    late = next(m for m in mail.outbox if m.to == ["sen@solbacka.se"])
    _cal, events = _events(late)
    assert [str(e["UID"]) for e in events] == [f"{m.uid}@bollplank" for m in meetings[2:]]


def test_series_of_one_is_the_ordinary_invitation(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _plan_series(world, django_capture_on_commit_callbacks, count=1)

    pia = next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])
    assert pia.subject.startswith("Ny träff: Lärarlaget åk 4–6")
    assert len(_events(pia)[1]) == 1
