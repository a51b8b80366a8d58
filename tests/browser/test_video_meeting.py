"""A group meets by video: the participant follows the invitation's link, the supervisor the
meeting page's, and a stand-in Jitsi Meet server on 127.0.0.1 checks each token as Jitsi's
token authentication would (signature, audience, issuer, room, validity) and shows who came in
as what."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.core import clock
from bollplank.engagements.enums import Venue
from bollplank.meetings.services import new_meeting
from bollplank.meetings.video_servers import video_server_save
from bollplank.notifications.meetings import notify_meeting
from bollplank.notifications.models import OutgoingMail
from tests.browser.conftest import AXE_JS, axe_check, let_through, login, path_of, visit
from tests.servers import serve

pytestmark = pytest.mark.browser

APP_ID = "bollplank"
SECRET = "stand-in-secret-" + "k" * 32


class StandIn(BaseHTTPRequestHandler):
    """Jitsi's side of a join: refuse a token that is not for this app and room, or not valid
    now; otherwise show the room with the person's name and role."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        url = urlsplit(self.path)
        if url.path == "/static/vendor/axe/axe.min.js":
            self._send(200, AXE_JS.read_bytes(), "application/javascript")
            return
        room = url.path.strip("/")
        try:
            token = parse_qs(url.query)["jwt"][0]
            claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=APP_ID, issuer=APP_ID)
            if claims["room"] != room or claims["sub"] != "127.0.0.1":
                raise jwt.InvalidTokenError("wrong room or domain")
        except (KeyError, jwt.InvalidTokenError) as exc:
            self._page(401, "Ingen åtkomst", str(exc))
            return
        user = claims["context"]["user"]
        role = "moderator" if user["moderator"] else "deltagare"
        lobby = " i väntrummet" if user.get("lobby") else ""
        self._page(200, f"Rum {room}", f"{user['name']}: {role}{lobby}")

    def _page(self, status: int, heading: str, text: str) -> None:
        body = (
            '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
            f"<title>{html.escape(heading)}</title></head><body><main>"
            f'<h1>{html.escape(heading)}</h1><p id="who">{html.escape(text)}</p>'
            "</main></body></html>"
        )
        self._send(status, body.encode(), "text/html; charset=utf-8")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass  # the token is in the address: keep it out of the test output


@pytest.fixture
def jitsi() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    serve(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _open_to(page: Page, jitsi: str) -> Page:
    # The page fixture fails a test on any request that leaves the site; the stand-in may.
    let_through(page, jitsi)
    return page


def test_group_meets_by_video_from_the_invitation_and_the_meeting_page(
    world: Any, new_page: Callable[..., Page], jitsi: str
) -> None:
    with scope(practice=world.practice):
        # Saved through the service: the settings form asks for https, the stand-in is http.
        video_server_save(
            actor=world.admin, practice=world.practice, base_url=jitsi, app_id=APP_ID, secret=SECRET
        )
        world.engagement.venue, world.engagement.video_url = Venue.VIDEO, ""
        world.engagement.save()
        start = clock.now() + dt.timedelta(minutes=10)
        meeting = new_meeting(world.engagement, start, start + dt.timedelta(hours=2), "")
        meeting.save()
        notify_meeting(meeting, "planned")
    with scopes_disabled():
        invitation = OutgoingMail.objects.get(to="pia@solbacka.se", kind="meeting")
    join = re.search(r"https?://\S+/join/", invitation.text)
    assert join is not None

    # The participant follows the invitation's link: signed in, on into the room's lobby.
    pia = _open_to(new_page(), jitsi)
    login(pia, "pia@solbacka.se")
    visit(pia, path_of(join.group(0)))
    assert pia.url.startswith(f"{jitsi}/{meeting.video_room}?jwt=")
    expect(pia.locator("#who")).to_have_text("Pia Deltagare: deltagare i väntrummet")

    # The supervisor joins from the meeting's page, as the moderator.
    siv = _open_to(new_page(), jitsi)
    login(siv, "siv@ekbacken.se")
    visit(siv, f"/p/ekbacken/meetings/{meeting.pk}/")
    with siv.expect_navigation():
        siv.get_by_role("link", name="Anslut till videoträffen").click()
    axe_check(siv)
    expect(siv.locator("h1")).to_have_text(f"Rum {meeting.video_room}")
    expect(siv.locator("#who")).to_have_text("Siv Handledare: moderator")

    # The practice admin sees the meeting, with no link to its room.
    asa = new_page()
    login(asa, "admin@ekbacken.se")
    visit(asa, f"/p/ekbacken/meetings/{meeting.pk}/")
    expect(asa.get_by_role("link", name="Anslut till videoträffen")).to_have_count(0)


def test_admin_sets_up_the_video_server_and_the_secret_is_never_shown(
    world: Any, page: Page
) -> None:
    login(page, "admin@ekbacken.se")
    visit(page, "/p/ekbacken/settings/video/")

    # Plain http and no secret: Swedish messages on the fields, what was typed kept.
    page.fill("#id_base_url", "http://video.ekbacken.example")
    page.fill("#id_app_id", APP_ID)
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)
    expect(page.locator("main")).to_contain_text("Ange serverns adress med https:// först")
    expect(page.locator("main")).to_contain_text("Ange serverns app-hemlighet.")
    expect(page.locator("#id_app_id")).to_have_value(APP_ID)

    page.fill("#id_base_url", "https://video.ekbacken.example")
    page.fill("#id_secret", SECRET)
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)
    expect(page.locator("main")).to_contain_text("Videoservern är sparad.")
    expect(page.locator("#id_secret")).to_have_value("")
    assert SECRET not in page.content()
    expect(page.locator("main")).to_contain_text("En hemlighet är sparad.")
