"""The ordered meetings: ordered, held, planned and left in meetings and hours on the
engagement page and the client's page; planning past the order only with an explicit
confirmation and then shown as over ("9 av 8"), never capped at 100 %; and the notices to the
supervisor and the client's contacts, once per crossing, from the worker's periodic sweep."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.clients.models import ClientContact
from bollplank.engagements.models import Engagement
from bollplank.engagements.quota import Quota
from bollplank.meetings import services as meetings
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting
from bollplank.notifications import alerts
from bollplank.notifications.models import EngagementAlert, OutgoingMail
from tests import factories as f
from tests import timecontrol as tc

P = "ekbacken"
SIV = "siv@ekbacken.se"


def test_quota_over_the_order_is_not_capped():
    q = Quota(ordered=8, held=5, planned=4, minutes=120)
    assert (q.used, q.left, q.over, q.used_percent) == (9, 0, 1, 113)
    assert (q.ordered_hours, q.held_hours, q.planned_hours, q.over_hours) == (
        Decimal("16.0"),
        Decimal("10.0"),
        Decimal("8.0"),
        Decimal("2.0"),
    )
    under = Quota(ordered=8, held=2, planned=1, minutes=90)
    assert (under.left, under.over, under.left_hours, under.used_percent) == (
        5,
        0,
        Decimal("7.5"),
        38,
    )


def _order(world, ordered: int, held: int, planned: int) -> None:
    """The world's engagement with ``ordered`` meetings and this many held and planned (the
    world's own meeting is one of those held)."""
    with scopes_disabled():
        world.engagement.meetings_ordered = ordered
        world.engagement.save()
    for i in range(held - 1):
        day = tc.past_meeting_day() - dt.timedelta(days=7 * (i + 1))
        f.MeetingFactory(engagement=world.engagement, starts_at=tc.local(day, 9))
    for i in range(planned):
        day = tc.workday(tc.today() + dt.timedelta(days=7 * (i + 1)))
        f.MeetingFactory(engagement=world.engagement, starts_at=tc.local(day, 13))


def test_engagement_page_shows_ordered_held_planned_and_left_in_meetings_and_hours(client, world):
    _order(world, ordered=8, held=3, planned=2)
    client.force_login(world.supervisor)
    body = client.get(reverse("engagement_detail", args=[P, world.engagement.pk])).content.decode()
    for text in ("Beställda", "8 träffar, 16 h", "Genomförda", "3 träffar, 6 h", "Planerade"):
        assert text in body, text
    assert "4 h" in body  # planned: 2 meetings of 2 hours
    assert "3 träffar, 6 h" in body.split("Kvar")[1]  # left: 8 - 5


def test_over_the_order_shows_9_of_8_to_staff_and_client_and_never_100_percent(client, world):
    _order(world, ordered=8, held=5, planned=4)
    client.force_login(world.supervisor)
    detail = client.get(reverse("engagement_detail", args=[P, world.engagement.pk]))
    assert "9 av 8" in detail.content.decode()
    start = client.get(reverse("dashboard", args=[P])).content.decode()
    assert "113 %" in start
    assert "(9 av 8)" in start
    assert "100 %" not in start
    client.force_login(world.contact_user)
    page = client.get(reverse("client_home", args=[P])).content.decode()
    assert "9 av 8" in page
    assert "1 träff (2 h) utöver beställningen" in page


def _meeting_form(day: dt.date, **extra: str) -> dict[str, str]:
    return {"day": str(day), "time": "13:00", "minutes": "120", "focus": "", **extra}


def test_planning_one_meeting_past_the_order_needs_a_confirmation(client, world):
    _order(world, ordered=8, held=5, planned=3)
    client.force_login(world.supervisor)
    url = reverse("meeting_create", args=[P, world.engagement.pk])
    day = tc.workday(tc.today() + dt.timedelta(days=60))
    assert 'name="over_order_ok"' not in client.get(url).content.decode()
    asked = client.post(url, _meeting_form(day))
    body = asked.content.decode()
    assert "Det här planerar 9 träffar av 8 beställda" in body
    assert 'name="over_order_ok"' in body
    assert f'value="{day}"' in body  # nothing typed is lost
    with scopes_disabled():
        assert Meeting.objects.filter(engagement=world.engagement).count() == 8
    done = client.post(url, _meeting_form(day, over_order_ok="on"))
    assert done.status_code == 302
    with scopes_disabled():
        assert Meeting.objects.filter(engagement=world.engagement).count() == 9


def test_planning_a_series_past_the_order_needs_a_confirmation(world):
    _order(world, ordered=8, held=5, planned=1)
    days = [tc.workday(tc.today() + dt.timedelta(days=60 + 7 * i)) for i in range(3)]
    chosen = [meetings.ChosenMeeting(day, dt.time(13, 0)) for day in days]
    with scope(practice=world.practice), pytest.raises(ValidationError) as exc:
        meetings.meetings_create_series(
            actor=world.supervisor, engagement=world.engagement, chosen=chosen
        )
    assert exc.value.code == meetings.OVER_ORDER
    assert "Det här planerar 9 träffar av 8 beställda" in exc.value.messages[0]
    with scope(practice=world.practice):
        created = meetings.meetings_create_series(
            actor=world.supervisor, engagement=world.engagement, chosen=chosen, over_order_ok=True
        )
    assert len(created) == 3


def test_series_page_asks_for_the_confirmation(client, world):
    _order(world, ordered=8, held=5, planned=2)
    client.force_login(world.supervisor)
    url = reverse("series_plan", args=[P, world.engagement.pk])
    days = [tc.workday(tc.today() + dt.timedelta(days=60 + 7 * i)) for i in range(2)]
    data = {
        "first_day": str(days[0]),
        "time": "13:00",
        "minutes": "120",
        "interval_weeks": "1",
        "end_mode": "count",
        "count": "2",
        "focus": "",
        "action": "create",
        "rows": "2",
    }
    for i, day in enumerate(days):
        data |= {f"day-{i}": str(day), f"time-{i}": "13:00", f"include-{i}": "on"}
    asked = client.post(url, data).content.decode()
    assert "Det här planerar 9 träffar av 8 beställda" in asked
    assert 'name="over_order_ok"' in asked
    assert client.post(url, {**data, "over_order_ok": "on"}).status_code == 302
    with scopes_disabled():
        assert Meeting.objects.filter(engagement=world.engagement).count() == 9


@pytest.fixture
def alone(world):
    """Only the world's engagement is active: the others would have their own notices."""
    with scopes_disabled():
        Engagement.objects.exclude(pk=world.engagement.pk).update(status="ended")
    return world


def _contact(world) -> str:
    with scopes_disabled():
        return ClientContact.objects.get(user=world.contact_user).email


def _mails() -> list[tuple[str, str]]:
    with scopes_disabled():
        return sorted(OutgoingMail.objects.values_list("to", "subject"))


def test_threshold_notice_goes_once_per_crossing(alone):
    world = alone
    _order(world, ordered=8, held=3, planned=2)  # 5 of 8 = 63 %: under 75 %
    now = tc.instant()
    assert alerts.engagement_alerts_due(now=now)["mails"] == 0
    with scopes_disabled():
        extra = f.MeetingFactory(
            engagement=world.engagement,
            starts_at=tc.local(tc.workday(tc.today() + dt.timedelta(days=70)), 13),
        )  # 6 of 8 = 75 %
    assert alerts.engagement_alerts_due(now=now)["mails"] == 2
    subject = "6 av 8 beställda träffar använda: Lärarlaget åk 4–6"
    assert _mails() == sorted([(_contact(world), subject), (SIV, subject)])
    # The next sweeps say nothing more while it holds.
    assert alerts.engagement_alerts_due(now=now + dt.timedelta(hours=1))["mails"] == 0
    # Under the threshold again (a meeting cancelled), then over again: told again.
    with scopes_disabled():
        Meeting.objects.filter(pk=extra.pk).update(status=MeetingStatus.CANCELLED)
    assert alerts.engagement_alerts_due(now=now + dt.timedelta(hours=2))["mails"] == 0
    with scopes_disabled():
        assert not EngagementAlert.objects.exists()
        Meeting.objects.filter(pk=extra.pk).update(status=MeetingStatus.PLANNED)
    assert alerts.engagement_alerts_due(now=now + dt.timedelta(hours=3))["mails"] == 2
    assert len(_mails()) == 4


def test_threshold_follows_the_practice_setting(alone):
    world = alone
    _order(world, ordered=8, held=3, planned=2)
    with scopes_disabled():
        world.practice.quota_alert_percent = 60
        world.practice.save()
    assert alerts.engagement_alerts_due(now=tc.instant())["mails"] == 2


def test_idle_notice_when_nothing_is_booked_for_the_practice_weeks(alone):
    world = alone
    # The world's meeting (held three months ago) is the last one and none is planned.
    now = tc.instant()
    with scopes_disabled():
        world.engagement.meetings_ordered = 40
        world.engagement.save()
        world.practice.idle_alert_weeks = 20  # longer than three months: nothing yet
        world.practice.save()
    assert alerts.engagement_alerts_due(now=now)["mails"] == 0
    with scopes_disabled():
        world.practice.idle_alert_weeks = 4
        world.practice.save()
    assert alerts.engagement_alerts_due(now=now)["mails"] == 2
    subject = "Inget bokat på 4 veckor: Lärarlaget åk 4–6"
    assert [s for _to, s in _mails()] == [subject, subject]
    assert alerts.engagement_alerts_due(now=now + dt.timedelta(days=1))["mails"] == 0
    # A meeting booked ahead ends it; the next quiet spell is told again.
    day = tc.workday(tc.today() + dt.timedelta(days=14))
    f.MeetingFactory(engagement=world.engagement, starts_at=tc.local(day, 13))
    assert alerts.engagement_alerts_due(now=now + dt.timedelta(days=2))["mails"] == 0
    with scopes_disabled():
        assert not EngagementAlert.objects.filter(kind="idle").exists()


def test_settings_page_sets_the_threshold_and_the_weeks(client, world):
    client.force_login(world.admin)
    data = {
        "name": world.practice.name,
        "late_cancellation_hours": 48,
        "travel_buffer_minutes": 30,
        "session_idle_minutes": 30,
        "session_max_hours": 12,
        "quota_alert_percent": 90,
        "idle_alert_weeks": 6,
    }
    assert client.post(reverse("practice_settings", args=[P]), data).status_code == 302
    world.practice.refresh_from_db()
    assert (world.practice.quota_alert_percent, world.practice.idle_alert_weeks) == (90, 6)
    bad = client.post(reverse("practice_settings", args=[P]), {**data, "quota_alert_percent": 150})
    assert "100" in bad.content.decode()
    world.practice.refresh_from_db()
    assert world.practice.quota_alert_percent == 90


def test_series_page_with_a_double_booking_shows_it_and_asks_nothing(client, world):
    """A refused series without a code of its own (a list of problems) is shown, not a crash."""
    day = tc.workday(tc.today() + dt.timedelta(days=60))
    f.MeetingFactory(engagement=world.other_engagement, starts_at=tc.local(day, 13))
    client.force_login(world.supervisor)
    url = reverse("series_plan", args=[P, world.engagement.pk])
    data = {
        "first_day": str(day),
        "time": "13:00",
        "minutes": "120",
        "interval_weeks": "1",
        "end_mode": "count",
        "count": "1",
        "focus": "",
        "action": "create",
        "rows": "1",
        "day-0": str(day),
        "time-0": "13:00",
        "include-0": "on",
    }
    with scopes_disabled():
        world.other_engagement.supervisor = world.supervisor
        world.other_engagement.save()
        Meeting.objects.filter(engagement=world.other_engagement).update(
            supervisor=world.supervisor
        )
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in body
    assert 'name="over_order_ok"' not in body
