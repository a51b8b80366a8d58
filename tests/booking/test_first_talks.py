"""First talks: an inquiry's visitor is sent a one-time link, books a first talk (no
engagement, no quota), moves and cancels it through the same link; both get the invitation
by e-mail; the supervisor's calendar, feed and free times see it."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from bollplank.booking import firsttalk, services
from bollplank.booking.models import BookingLink, BookingSettings, FirstTalk, Place
from bollplank.booking.selectors import (
    first_talk_free_times,
    first_talks_for_feed,
    free_times,
)
from bollplank.core import clock
from bollplank.directory.enums import InquiryStatus
from bollplank.directory.models import InquiryReply
from bollplank.notifications.models import OutgoingMail
from tests.booking.helpers import individual, open_weekdays
from tests.directory.helpers import inquiry as make_inquiry

STHLM = ZoneInfo("Europe/Stockholm")
# Sunday 28 February 2027, 13:00 in Stockholm. The story runs over that spring's
# daylight-saving night, so the clock stands here for these tests, whatever day the suite runs.
NOW = dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)
pytestmark = pytest.mark.instant(NOW.isoformat())


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, minute, tzinfo=STHLM).astimezone(dt.UTC)


@pytest.fixture
def talk_world(world: Any) -> Any:
    """Siv open weekdays 09–17 by video for first talks (30 minutes), and an inquiry."""
    open_weekdays(world, Place.VIDEO)
    open_weekdays(world, Place.PREMISES)
    world.inquiry = make_inquiry(world.practice, name="Vera Besökare", email="vera@example.se")
    return world


def send(w: Any, now: dt.datetime = NOW) -> str:
    with scopes_disabled():
        _link, token = firsttalk.link_send(
            actor=w.admin, inquiry=w.inquiry, supervisor=w.supervisor, now=now
        )
    return token


def book(token: str, start: dt.datetime, now: dt.datetime = NOW) -> Any:
    with scopes_disabled():
        return services.link_book(token=token, starts_at=start, now=now)


def mails(to: str) -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.filter(to=to).order_by("pk"))


def test_link_is_mailed_and_the_inquiry_answered(talk_world: Any) -> None:
    w = talk_world
    token = send(w)
    with scopes_disabled():
        link = BookingLink.objects.get()
        w.inquiry.refresh_from_db()
        reply = InquiryReply.objects.get(inquiry=w.inquiry)
    assert link.engagement is None and link.supervisor == w.supervisor
    assert link.email == "vera@example.se" and link.is_first_talk
    assert w.inquiry.status == InquiryStatus.DIALOGUE
    assert "Siv Handledare" in reply.body and token not in reply.body
    [mail] = mails("vera@example.se")
    assert reverse("booking_link", args=[token]) in mail.text
    assert "30" in mail.text  # the first talk's length


def test_no_free_time_refuses_to_send(world: Any) -> None:
    world.inquiry = make_inquiry(world.practice)
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        firsttalk.link_send(
            actor=world.admin, inquiry=world.inquiry, supervisor=world.supervisor, now=NOW
        )
    assert exc.value.code == "no_free_time"
    with scopes_disabled():
        assert not BookingLink.objects.exists()


def test_book_once_with_invitations_to_both(talk_world: Any) -> None:
    w = talk_world
    token = send(w)
    talk = book(token, at(3, 2, 10))
    assert isinstance(talk, FirstTalk)
    assert talk.ends_at - talk.starts_at == dt.timedelta(minutes=30)
    assert talk.place == Place.VIDEO and talk.name == "Vera Besökare"
    [_link_mail, invitation] = mails("vera@example.se")
    assert invitation.ics_method == "REQUEST" and f"UID:{talk.uid}@bollplank" in invitation.ics
    assert "Vera" not in invitation.ics.split("BEGIN:VEVENT")[1]  # no names in calendars
    [staff] = mails("siv@ekbacken.se")
    assert staff.ics_method == "REQUEST"
    # The same link again: refused with a clear message, nothing else booked.
    with pytest.raises(ValidationError) as exc:
        book(token, at(3, 3, 10))
    assert exc.value.code == "link_used"
    assert "already been used" in exc.value.messages[0] or "redan" in exc.value.messages[0]
    with scopes_disabled():
        assert FirstTalk.objects.count() == 1


def test_quota_does_not_apply_and_meetings_block_first_talks(talk_world: Any) -> None:
    w = talk_world
    engagement = individual(w, ordered=1)
    with scopes_disabled():
        services.booking_book(
            actor=w.participant_user, engagement=engagement, starts_at=at(3, 2, 10), now=NOW
        )
        free = first_talk_free_times(w.practice, w.supervisor, now=NOW)
        assert free.why_not(at(3, 2, 10)) == "taken"
    token = send(w)
    with pytest.raises(ValidationError) as exc:
        book(token, at(3, 2, 10, 30))
    assert exc.value.code == "taken"


def test_first_talk_blocks_participants(talk_world: Any) -> None:
    w = talk_world
    engagement = individual(w)
    talk = book(send(w), at(3, 2, 10))
    with scopes_disabled():
        free = free_times(engagement, now=NOW)
        # Video first talk, premises meeting: travel time is kept free around it too.
        assert free.why_not(talk.starts_at) == "taken"
        assert free.why_not(at(3, 2, 11)) == "taken"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(2, 1, 10), "past"),
        (at(2, 28, 11), "past"),  # earlier today
        (at(3, 1, 10), "notice"),
        (at(3, 2, 7), "hours"),
        (at(3, 6, 10), "hours"),  # Saturday
        (at(6, 1, 10), "horizon"),
    ],
)
def test_bad_times(talk_world: Any, start: dt.datetime, code: str) -> None:
    token = send(talk_world)
    with pytest.raises(ValidationError) as exc:
        book(token, start)
    assert exc.value.code == code
    with scopes_disabled():
        assert not BookingLink.objects.get().used_at


def test_across_daylight_saving(talk_world: Any) -> None:
    # 28 March 2027: clocks go forward at 02:00. Open that Sunday night, nothing may be
    # booked across the gap; the link stays unused.
    w = talk_world
    with scopes_disabled():
        services.exception_add(
            actor=w.supervisor,
            practice=w.practice,
            is_open=True,
            first_day=dt.date(2027, 3, 28),
            last_day=None,
            start=dt.time(1, 0),
            end=dt.time(4, 0),
            place=Place.VIDEO,
        )
    now = dt.datetime(2027, 3, 20, 12, tzinfo=dt.UTC)
    token = send(w, now)
    crossing = dt.datetime(2027, 3, 28, 0, 45, tzinfo=dt.UTC)  # 01:45 CET → 03:15 CEST
    with pytest.raises(ValidationError) as exc:
        book(token, crossing, now)
    assert exc.value.code in {"dst", "hours"}
    with scopes_disabled():
        assert not BookingLink.objects.get().used_at


def test_move_and_cancel_through_the_link(talk_world: Any) -> None:
    w = talk_world
    token = send(w)
    talk = book(token, at(3, 4, 10))
    moved = firsttalk.move(token=token, starts_at=at(3, 5, 14), now=NOW)
    assert moved.uid == talk.uid and moved.sequence == 1
    assert moved.starts_at == at(3, 5, 14)
    vera = mails("vera@example.se")
    assert [m.ics_method for m in vera] == ["", "REQUEST", "REQUEST"]
    assert "SEQUENCE:1" in vera[-1].ics
    cancelled = firsttalk.cancel(token=token, now=NOW)
    assert cancelled.is_cancelled and cancelled.sequence == 2
    assert not cancelled.late_cancellation
    assert [m.ics_method for m in mails("siv@ekbacken.se")] == ["REQUEST", "REQUEST", "CANCEL"]
    with pytest.raises(ValidationError) as exc:
        firsttalk.cancel(token=token, now=NOW)
    assert exc.value.code == "cancelled"
    with pytest.raises(ValidationError):
        firsttalk.move(token=token, starts_at=at(3, 5, 10), now=NOW)


def test_too_late_to_move_but_cancel_is_late(talk_world: Any) -> None:
    w = talk_world
    token = send(w)
    book(token, at(3, 2, 10))
    soon = at(3, 2, 8)  # two hours before: inside the practice's notice
    with pytest.raises(ValidationError) as exc:
        firsttalk.move(token=token, starts_at=at(3, 4, 14), now=soon)
    assert exc.value.code == "too_late_to_move"
    assert firsttalk.cancel(token=token, now=soon).late_cancellation


def test_move_to_a_taken_time_is_refused(talk_world: Any) -> None:
    w = talk_world
    first = book(send(w), at(3, 4, 10))
    w.inquiry = make_inquiry(w.practice, name="Bo", email="bo@example.se")
    token = send(w)
    book(token, at(3, 5, 10))
    with pytest.raises(ValidationError) as exc:
        firsttalk.move(token=token, starts_at=first.starts_at, now=NOW)
    assert exc.value.code == "taken"


def test_supervisor_feed_and_calendar_hold_the_first_talk(talk_world: Any, client: Any) -> None:
    w = talk_world
    talk = book(send(w), at(3, 2, 10))
    with scopes_disabled():
        feed = first_talks_for_feed(w.supervisor, w.practice, frozenset())
        assert [t.talk for t in feed] == [talk]
        assert feed[0].pk == f"first-talk-{talk.pk}"  # never a meeting's pk (its URL)
    client.force_login(w.supervisor)
    page = client.get(
        reverse("calendar_week", args=[w.practice.slug]), {"date": "2027-03-02"}
    ).content.decode()
    assert "Första samtal" in page
    assert "Vera" not in page
    client.force_login(w.participant_user)
    page = client.get(
        reverse("calendar_week", args=[w.practice.slug]), {"date": "2027-03-02"}
    ).content.decode()
    assert "Första samtal" not in page


def test_feed_carries_the_first_talk(talk_world: Any, client: Any) -> None:
    from bollplank.meetings import services as meetings

    w = talk_world
    talk = book(send(w), at(3, 2, 10))
    with scopes_disabled():
        _feed, token = meetings.feed_create(user=w.supervisor, practice=w.practice)
    body = client.get(reverse("feed", args=[token])).content.decode()
    assert f"UID:{talk.uid}@bollplank" in body
    assert "Vera" not in body


def test_inquiry_page_button_sends_the_link(talk_world: Any, client: Any) -> None:
    w = talk_world
    client.force_login(w.admin)
    url = reverse("inquiry_detail", args=[w.practice.slug, w.inquiry.pk])
    page = client.get(url).content.decode()
    assert "Skicka bokningslänk för ett första samtal" in page
    response = client.post(url, {"action": "first_talk", "talk-supervisor": w.supervisor.pk})
    assert response.status_code == 302
    with scopes_disabled():
        assert BookingLink.objects.get().inquiry == w.inquiry
    # A supervisor who is not a choice is refused with the form again.
    response = client.post(url, {"action": "first_talk", "talk-supervisor": 999999})
    assert response.status_code == 400


def test_link_page_books_moves_and_cancels(talk_world: Any, client: Any) -> None:
    w = talk_world
    token = send(w, clock.now())
    url = reverse("booking_link", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "Boka ett första samtal" in page.content.decode()
    slots = client.get(url, {"week": 1}).context["days"][0][1]  # past the 48 h to move
    response = client.post(url, {"action": "book", "start": slots[0].isoformat()})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "är bokat" in page and "Flytta" in page
    # Used twice: the clear message, nothing more booked.
    response = client.post(url, {"action": "book", "start": slots[1].isoformat()})
    assert response.status_code == 400
    assert "redan använts" in response.content.decode()
    ics = client.get(reverse("booking_link_ics", args=[token]))
    assert ics.status_code == 200 and b"BEGIN:VEVENT" in ics.content
    assert b"ORGANIZER;CN=" in ics.content  # RFC 5546: PUBLISH names its organizer
    later = client.get(url, {"week": 2}).context["days"][-1][1][-1]
    response = client.post(url, {"action": "move", "start": later.isoformat()})
    assert response.status_code == 302, response.context["form"].errors
    with scopes_disabled():
        assert FirstTalk.objects.get().starts_at == later
    assert client.post(url, {"action": "cancel"}).status_code == 302
    with scopes_disabled():
        assert FirstTalk.objects.get().is_cancelled
    assert "är inställt" in client.get(url).content.decode()
    assert client.post(url, {"action": "nonsense"}).status_code == 404


def test_settings_choose_length_and_place(talk_world: Any) -> None:
    w = talk_world
    with scopes_disabled():
        BookingSettings.objects.filter(supervisor=w.supervisor).update(
            first_talk_minutes=60, first_talk_place=Place.PREMISES
        )
    talk = book(send(w), at(3, 2, 10))
    assert talk.ends_at - talk.starts_at == dt.timedelta(minutes=60)
    assert talk.place == Place.PREMISES


def test_self_booking_mails_the_participant_and_the_supervisor(talk_world: Any) -> None:
    w = talk_world
    engagement = individual(w)
    with scopes_disabled():
        meeting = services.booking_book(
            actor=w.participant_user, engagement=engagement, starts_at=at(3, 4, 10), now=NOW
        )
        meeting = services.booking_move(
            actor=w.participant_user, meeting=meeting, starts_at=at(3, 5, 10), now=NOW
        )
        services.booking_cancel(
            reason="Förhinder", actor=w.participant_user, meeting=meeting, now=NOW
        )
    for to in ("pia@solbacka.se", "siv@ekbacken.se"):
        sent = [m for m in mails(to) if m.ics_method]
        assert [m.ics_method for m in sent] == ["REQUEST", "REQUEST", "CANCEL"], to
        assert [m.ics.count(f"UID:{meeting.uid}@bollplank") for m in sent] == [1, 1, 1]
        assert ["SEQUENCE:0" in sent[0].ics, "SEQUENCE:1" in sent[1].ics] == [True, True]
        assert "SEQUENCE:2" in sent[2].ics


def test_supervisor_sets_first_talk_terms(talk_world: Any, client: Any) -> None:
    w = talk_world
    client.force_login(w.supervisor)
    url = reverse("booking_availability", args=[w.practice.slug])
    values = {
        "action": "settings",
        "notice_hours": 24,
        "horizon_days": 56,
        "buffer_minutes": 15,
        "travel_minutes": 45,
        "first_talk_minutes": 45,
        "first_talk_place": Place.PREMISES,
    }
    assert client.post(url, values).status_code == 302
    with scopes_disabled():
        config = BookingSettings.objects.get(supervisor=w.supervisor)
    assert (config.first_talk_minutes, config.first_talk_place) == (45, Place.PREMISES)
    response = client.post(url, {**values, "first_talk_minutes": 25})
    assert response.status_code == 400


def test_supervisor_cannot_plan_a_meeting_over_a_first_talk(talk_world: Any) -> None:
    from bollplank.meetings import services as meetings

    w = talk_world
    engagement = individual(w)
    now = clock.now()
    talk = book(send(w, now), _a_free_first_talk_time(w), now)
    local = timezone.localtime(talk.starts_at, STHLM)
    with pytest.raises(ValidationError) as exc, scopes_disabled():
        meetings.meeting_create(
            actor=w.supervisor, engagement=engagement, day=local.date(), time=local.time()
        )
    assert exc.value.code == "double_booking"
    assert "Första samtal" in exc.value.messages[0] and "Vera" not in exc.value.messages[0]


def _a_free_first_talk_time(w: Any) -> dt.datetime:
    with scopes_disabled():
        return first_talk_free_times(w.practice, w.supervisor, now=clock.now()).slots()[0]


def test_inquiry_page_tells_whether_the_talk_is_booked(talk_world: Any, client: Any) -> None:
    w = talk_world
    token = send(w, clock.now())
    client.force_login(w.admin)
    url = reverse("inquiry_detail", args=[w.practice.slug, w.inquiry.pk])
    assert "inte bokat ännu" in client.get(url).content.decode()
    with scopes_disabled():
        slot = first_talk_free_times(w.practice, w.supervisor, now=clock.now()).slots()[0]
    book(token, slot, clock.now())
    page = client.get(url).content.decode()
    assert "första samtal bokat" in page and "Siv Handledare" in page
