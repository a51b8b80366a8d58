"""Video meetings on the practice's own Jitsi Meet server: the tokens (decoded with PyJWT), who
gets a link (meeting page, join page, calendar files, e-mail), and the server's settings."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import icalendar
import jwt
import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.core import clock, crypto
from bollplank.core.audit import AuditEvent
from bollplank.engagements.enums import Form, Venue
from bollplank.meetings.feeds import feed_create
from bollplank.meetings.models import Meeting, VideoServer
from bollplank.meetings.services import new_meeting
from bollplank.meetings.video import OPENS_BEFORE, meeting_link
from bollplank.meetings.video_servers import video_server_save
from bollplank.notifications.meetings import notify_meeting
from bollplank.notifications.models import OutgoingMail
from tests import timecontrol as tc

P = "ekbacken"
SECRET = "s3cret-" + "x" * 40
APP_ID = "bollplank"
BASE_URL = "https://video.ekbacken.example"
LINK = re.compile(r'href="(https://video\.ekbacken\.example/[^"]+)"')


def _client(user: Any) -> Client:
    c = Client(headers={"accept-language": "sv"})
    c.force_login(user)
    return c


def _server(world: Any) -> None:
    with scope(practice=world.practice):
        video_server_save(
            actor=world.admin,
            practice=world.practice,
            base_url=BASE_URL,
            app_id=APP_ID,
            secret=SECRET,
        )


def _by_video(engagement: Any, starts_at: dt.datetime | None = None) -> Meeting:
    """A meeting ahead in ``engagement``, moved to video without a link of its own."""
    with scopes_disabled():
        engagement.venue, engagement.video_url = Venue.VIDEO, ""
        engagement.save()
        start = starts_at or tc.local(tc.workday_after(7), 9)
        meeting = new_meeting(engagement, start, start + dt.timedelta(hours=2), "")
        meeting.save()
        return Meeting.objects.select_related("engagement", "practice").get(pk=meeting.pk)


@pytest.fixture
def video(world: Any) -> Meeting:
    _server(world)
    return _by_video(world.engagement)


def _decode(link: str) -> dict[str, Any]:
    """The token's claims, its signature, audience and issuer checked (not its times: the
    meeting is ahead of the test's instant, so the token is not valid yet)."""
    token = parse_qs(urlsplit(link).query)["jwt"][0]
    return jwt.decode(
        token,
        SECRET,
        algorithms=["HS256"],
        audience=APP_ID,
        issuer=APP_ID,
        options={"verify_nbf": False, "require": ["exp", "nbf", "aud", "iss", "sub", "room"]},
    )


def _link(meeting: Meeting, user: Any) -> str:
    with scope(practice=meeting.practice):
        return meeting_link(meeting, user)


# --- the token --------------------------------------------------------------------------------


def test_supervisors_token_makes_them_moderator_of_the_meetings_room(video, world):
    link = _link(video, world.supervisor)

    claims = _decode(link)
    assert urlsplit(link).path == f"/{video.video_room}"
    assert claims["room"] == video.video_room
    assert claims["sub"] == "video.ekbacken.example"
    assert claims["nbf"] == int((video.starts_at - dt.timedelta(minutes=15)).timestamp())
    assert claims["exp"] == int(video.ends_at.timestamp())
    assert claims["context"]["user"] == {
        "name": "Siv Handledare",
        "moderator": True,
        "affiliation": "owner",
        "lobby_bypass": True,
    }
    assert claims["context"]["features"] == {
        "recording": False,
        "livestreaming": False,
        "transcription": False,
        "outbound-call": False,
    }


def test_participants_token_is_not_moderator_and_waits_in_the_groups_lobby(video, world):
    claims = _decode(_link(video, world.participant_user))

    assert claims["room"] == video.video_room
    assert claims["context"]["user"] == {
        "name": "Pia Deltagare",
        "moderator": False,
        "affiliation": "member",
        "lobby": True,
    }


def test_individual_supervision_has_no_lobby(world):
    _server(world)
    with scopes_disabled():
        world.engagement.form = Form.INDIVIDUAL
        world.engagement.save()
    meeting = _by_video(world.engagement)

    assert _decode(_link(meeting, world.participant_user))["context"]["user"] == {
        "name": "Pia Deltagare",
        "moderator": False,
        "affiliation": "member",
    }


def test_token_is_refused_before_it_opens_and_after_the_end_with_the_wrong_secret(video, world):
    token = parse_qs(urlsplit(_link(video, world.supervisor)).query)["jwt"][0]

    with pytest.raises(jwt.ImmatureSignatureError):
        jwt.decode(token, SECRET, algorithms=["HS256"], audience=APP_ID)
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            audience=APP_ID,
            leeway=-(video.ends_at - clock.now()).total_seconds() - 1,
            options={"verify_nbf": False},
        )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another secret" * 3, algorithms=["HS256"], audience=APP_ID)


def test_each_meeting_has_its_own_random_room(video, world):
    other = _by_video(world.engagement, tc.local(tc.workday_after(21), 9))

    assert video.video_room != other.video_room
    assert re.fullmatch(r"[0-9a-f]{32}", video.video_room)
    assert _decode(_link(other, world.supervisor))["room"] == other.video_room


# --- who gets a link ---------------------------------------------------------------------------


def test_only_the_supervisor_and_the_groups_members_get_a_link(video, world):
    assert _link(video, world.supervisor)
    assert _link(video, world.participant_user)
    # A practice admin sees the meeting but is not in the room; the others never see it.
    assert _link(video, world.admin) == ""
    assert _link(video, world.other_supervisor) == ""
    assert _link(video, world.outsider_participant_user) == ""
    assert _link(video, world.contact_user) == ""
    assert _link(video, world.foreign_supervisor) == ""


def test_no_link_without_a_server_with_a_link_of_its_own_or_when_cancelled(world):
    meeting = _by_video(world.engagement)
    assert _link(meeting, world.supervisor) == ""  # no server yet

    _server(world)
    assert _link(meeting, world.supervisor)
    with scopes_disabled():
        Meeting.objects.filter(pk=meeting.pk).update(status="cancelled")
        meeting.refresh_from_db()
    assert _link(meeting, world.supervisor) == ""

    with scopes_disabled():
        world.engagement.video_url = "https://video.example/own-room"
        world.engagement.save()
    own = _by_video_url(world.engagement)
    assert _link(own, world.supervisor) == ""


def _by_video_url(engagement: Any) -> Meeting:
    with scopes_disabled():
        start = tc.local(tc.workday_after(14), 9)
        meeting = new_meeting(engagement, start, start + dt.timedelta(hours=2), "")
        meeting.save()
        return Meeting.objects.select_related("engagement", "practice").get(pk=meeting.pk)


@pytest.mark.parametrize(
    ("who", "status", "name"),
    [
        ("supervisor", 200, "Siv Handledare"),
        ("participant_user", 200, "Pia Deltagare"),
        ("admin", 200, None),
        ("other_supervisor", 404, None),
        ("outsider_participant_user", 404, None),
        ("contact_user", 403, None),
        ("foreign_supervisor", 404, None),
    ],
)
def test_meeting_page_shows_the_persons_own_link_only(video, world, who, status, name):
    response = _client(getattr(world, who)).get(reverse("meeting_detail", args=[P, video.pk]))

    assert response.status_code == status
    links = LINK.findall(response.content.decode())
    if name is None:
        assert links == []
        assert "jwt=" not in response.content.decode()
    else:
        assert len(links) == 1
        assert _decode(links[0].replace("&amp;", "&"))["context"]["user"]["name"] == name
        assert "Länken är bara din" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("supervisor", 302),
        ("participant_user", 302),
        ("admin", 404),
        ("other_supervisor", 404),
        ("outsider_participant_user", 404),
        ("contact_user", 403),
        ("foreign_supervisor", 404),
    ],
)
def test_join_page_sends_only_the_room_s_people_to_it_with_a_fresh_token(world, who, status):
    _server(world)
    # Starting in ten minutes: the room is open.
    meeting = _by_video(world.engagement, clock.now() + dt.timedelta(minutes=10))

    response = _client(getattr(world, who)).get(reverse("meeting_join", args=[P, meeting.pk]))

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(f"{BASE_URL}/{meeting.video_room}?jwt=")
        claims = jwt.decode(
            parse_qs(urlsplit(response["Location"]).query)["jwt"][0],
            SECRET,
            algorithms=["HS256"],
            audience=APP_ID,
        )
        assert claims["context"]["user"]["moderator"] is (who == "supervisor")


def test_join_page_before_the_room_opens_says_when_it_does(video, world):
    assert video.starts_at - clock.now() > OPENS_BEFORE

    response = _client(world.participant_user).get(
        reverse("meeting_join", args=[P, video.pk]), follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("meeting_detail", args=[P, video.pk])
    assert "Videorummet öppnar 15 minuter innan träffen börjar." in response.content.decode()


# --- calendar files and e-mail -------------------------------------------------------------


def _feed(world: Any, user: Any) -> icalendar.Calendar:
    with scope(practice=world.practice):
        _feed_row, token = feed_create(user=user, practice=world.practice)
    response = Client().get(reverse("feed", args=[token]))
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def _location(cal: icalendar.Calendar, meeting: Meeting) -> str:
    for event in cal.walk("VEVENT"):
        if str(event["UID"]).startswith(str(meeting.uid)):
            return str(event.get("LOCATION", ""))
    raise AssertionError("the meeting is not in the feed")


def _join_page(meeting: Meeting) -> str:
    return "http://testserver" + reverse("meeting_join", args=[P, meeting.pk])


def test_feed_carries_the_join_page_and_no_token_only_for_those_in_the_room(video, world):
    with scope(practice=world.practice):
        _feed_row, token = feed_create(user=world.supervisor, practice=world.practice)
    raw = Client().get(reverse("feed", args=[token])).content.decode()
    participants = _location(_feed(world, world.participant_user), video)

    # Calendar servers outside our control keep the feed: it must hold no token at all.
    assert "jwt" not in raw and BASE_URL not in raw
    supervisors = _location(icalendar.Calendar.from_ical(raw), video)
    assert supervisors == participants == _join_page(video)
    # The admin's and the client contact's feeds hold the meeting, without a link.
    assert _location(_feed(world, world.admin), video) == ""
    assert _location(_feed(world, world.contact_user), video) == ""


def test_meetings_calendar_file_carries_the_join_page_and_no_token(video, world):
    url = reverse("meeting_ics", args=[P, video.pk])

    own = _client(world.participant_user).get(url).content.decode()
    supervisors = _client(world.supervisor).get(url).content.decode()
    admins = icalendar.Calendar.from_ical(_client(world.admin).get(url).content)
    contacts = icalendar.Calendar.from_ical(_client(world.contact_user).get(url).content)

    for raw in (own, supervisors):
        assert "jwt" not in raw and BASE_URL not in raw
        assert _location(icalendar.Calendar.from_ical(raw), video) == _join_page(video)
    assert _location(admins, video) == ""
    assert _location(contacts, video) == ""


def test_the_join_page_in_a_calendar_file_makes_a_fresh_token_for_who_follows_it(world):
    _server(world)
    # Starting in ten minutes: the room is open.
    meeting = _by_video(world.engagement, clock.now() + dt.timedelta(minutes=10))
    pia = _client(world.participant_user)
    calendar = pia.get(reverse("meeting_ics", args=[P, meeting.pk])).content

    page = _location(icalendar.Calendar.from_ical(calendar), meeting)
    response = pia.get(urlsplit(page).path)

    assert response["Location"].startswith(f"{BASE_URL}/{meeting.video_room}?jwt=")
    assert _decode(response["Location"])["context"]["user"]["name"] == "Pia Deltagare"


def test_invitation_mail_links_to_the_join_page_and_stores_no_token(video, world):
    with scope(practice=world.practice):
        notify_meeting(video, "planned")

    with scopes_disabled():
        mail = OutgoingMail.objects.get(to="pia@solbacka.se", kind="meeting")
        sent_to = set(OutgoingMail.objects.values_list("to", flat=True))
    join = "http://testserver" + reverse("meeting_join", args=[P, video.pk])
    assert "rut@solbacka.se" not in sent_to
    assert "Anslut till videoträffen (från 15 minuter före start):" in mail.text
    assert urlsplit(join).path in mail.text
    invitation = icalendar.Calendar.from_ical(mail.ics)
    assert urlsplit(_location(invitation, video)).path == urlsplit(join).path
    assert "jwt" not in mail.text + mail.html + mail.ics


# --- the settings ------------------------------------------------------------------------------


def test_settings_store_the_secret_encrypted_and_never_show_it(world):
    admin = _client(world.admin)
    url = reverse("video_settings", args=[P])

    admin.post(url, {"base_url": BASE_URL + "/", "app_id": APP_ID, "secret": SECRET})

    with scopes_disabled():
        server = VideoServer.objects.get(practice=world.practice)
        event = AuditEvent.objects.filter(action="meetings.video_server.saved").get()
    assert server.base_url == BASE_URL
    assert SECRET not in server.secret_encrypted
    assert crypto.decrypt(server.secret_encrypted) == SECRET
    assert event.data == {"fields": ["base_url", "app_id", "secret"]}
    page = admin.get(url).content.decode()
    assert SECRET not in page and BASE_URL in page
    assert "En hemlighet är sparad. Lämna fältet tomt för att behålla den." in page

    # Saved again without a secret: the stored one stays.
    admin.post(url, {"base_url": BASE_URL, "app_id": "other-app", "secret": ""})
    with scopes_disabled():
        server.refresh_from_db()
    assert server.app_id == "other-app"
    assert crypto.decrypt(server.secret_encrypted) == SECRET


def test_an_error_report_from_the_settings_hides_the_secret(world):
    from django.views.debug import ExceptionReporter

    response = _client(world.admin).post(
        reverse("video_settings", args=[P]),
        {"base_url": BASE_URL, "app_id": APP_ID, "secret": SECRET},
    )

    # What Django's error page and the admins' error mail would show of this request.
    report = ExceptionReporter(response.wsgi_request, None, None, None).get_traceback_text()
    assert SECRET not in report
    assert "secret" in report and APP_ID in report  # the other fields are still shown


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"base_url": "inte en adress", "secret": SECRET}, "Fyll i en giltig URL."),
        (
            {"base_url": "http://video.ekbacken.example", "secret": SECRET},
            "Ange serverns adress med https:// först, utan ? eller #.",
        ),
        ({"base_url": BASE_URL, "secret": ""}, "Ange serverns app-hemlighet."),
        ({"base_url": BASE_URL, "secret": "kort"}, "App-hemligheten måste vara minst 32 tecken"),
    ],
)
def test_settings_bad_input_gets_a_swedish_message_and_saves_nothing(world, data, message):
    response = _client(world.admin).post(
        reverse("video_settings", args=[P]), {"app_id": APP_ID, **data}
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert data["base_url"] in page  # what was typed is kept
    with scopes_disabled():
        assert not VideoServer.objects.exists()


def test_settings_remove_the_server_and_the_links_go(video, world):
    admin = _client(world.admin)

    admin.post(reverse("video_settings", args=[P]), {"action": "remove"})

    with scopes_disabled():
        assert not VideoServer.objects.filter(practice=world.practice).exists()
        assert AuditEvent.objects.filter(action="meetings.video_server.removed").count() == 1
    assert _link(video, world.supervisor) == ""


@pytest.mark.parametrize("count", [1, 3])
def test_feed_links_cost_two_queries_however_many_meetings(world, count, django_assert_num_queries):
    from bollplank.core.roles import Role
    from bollplank.meetings.selectors import feed_meetings
    from bollplank.meetings.video import feed_join_pages

    _server(world)
    for week in range(count):
        _by_video(world.engagement, tc.local(tc.workday_after(7 + 7 * week), 9))
    with scope(practice=world.practice):
        rows = feed_meetings(world.participant_user, world.practice, frozenset({Role.PARTICIPANT}))
        # The practice's video server; the person's group memberships.
        with django_assert_num_queries(2):
            places = feed_join_pages(world.participant_user, world.practice, rows, "")

    assert len(places) == count


def test_a_meeting_that_is_over_has_no_link(video, world):
    with scopes_disabled():
        held = Meeting.objects.select_related("engagement", "practice").get(pk=world.meeting.pk)
    assert held.ends_at < clock.now() and held.engagement.venue == Venue.VIDEO

    assert _link(held, world.supervisor) == ""
    assert _location(_feed(world, world.supervisor), held) == ""


def test_series_invitation_says_the_meetings_are_by_video_with_each_ones_join_page(video, world):
    from bollplank.notifications.series import notify_series

    second = _by_video(world.engagement, tc.local(tc.workday_after(21), 9))
    with scope(practice=world.practice):
        notify_series([video, second])

    with scopes_disabled():
        mail = OutgoingMail.objects.get(to="pia@solbacka.se", kind="meeting")
    assert "Träffarna hålls på video" in mail.text
    invitation = icalendar.Calendar.from_ical(mail.ics)
    for meeting in (video, second):
        place = _location(invitation, meeting)
        assert urlsplit(place).path == reverse("meeting_join", args=[P, meeting.pk])
    assert "jwt" not in mail.text + mail.html + mail.ics
