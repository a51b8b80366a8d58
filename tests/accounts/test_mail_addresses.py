"""Every link in every mail uses the configured public address (BOLLPLANK_SITE_URL), whatever
host the request that caused the mail came in on."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django_scopes import scope, scopes_disabled

from bollplank.meetings import services as meeting_services
from bollplank.notifications.models import OutgoingMail
from tests import timecontrol as tc

PUBLIC = "https://handledning.example.se"
LINK = re.compile(r"""(?:https?:)?//[^\s"'<>)]+""")


def _links(rows: list[OutgoingMail]) -> list[str]:
    return [link for m in rows for link in LINK.findall(m.text + m.html)]


def _rows() -> list[OutgoingMail]:
    with scopes_disabled():
        return list(OutgoingMail.objects.order_by("pk"))


def test_every_mail_links_only_to_the_public_address(
    client: Any, world: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = PUBLIC
    settings.ALLOWED_HOSTS = ["internal.local", "testserver"]
    client.force_login(world.admin)
    # An invitation, asked for on another host name than the public one.
    client.post(
        reverse("invite", args=["ekbacken"]),
        {"name": "Kim Ny", "email": "kim@ekbacken.se", "role": "supervisor", "language": "sv"},
        HTTP_HOST="internal.local",
    )
    # Meeting notices (planned, with reminders) for the group.
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_create(
            actor=world.supervisor,
            engagement=world.engagement,
            day=tc.workday_after(8),
            time=dt.time(9, 0),
        )
    client.logout()
    # A password reset, asked for on the internal host name.
    client.post(
        reverse("account_reset_password"), {"email": "pia@solbacka.se"}, HTTP_HOST="internal.local"
    )
    rows = _rows()
    templates = {m.subject.split(":")[0] for m in rows}
    assert len(rows) >= 4, templates
    links = _links(rows)
    assert links and all(link.startswith(PUBLIC + "/") for link in links), links
    text = " ".join(m.text + m.html for m in rows)
    assert "127.0.0.1" not in text and "internal.local" not in text
    assert any("/invitation/" in link for link in links)
    assert any("/accounts/password/reset/key/" in link for link in links)
