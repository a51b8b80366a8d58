"""A meeting moved through the API by an admin's token: its supervisor gets the calendar
update too (the optional "meetings I lead" kind, tests/notifications/test_led_meeting.py)."""

from __future__ import annotations

from typing import Any

from django.core import mail

from tests.conftest import World
from tests.notifications.test_led_meeting import SIV, _plan
from tests.notifications.test_notifications import _calendar, _day


def test_api_move_by_an_admin_token_tells_the_supervisor(
    world: World, api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = _plan(world, django_capture_on_commit_callbacks, world.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = api("admin").post(
            f"/meetings/{meeting.pk}/move",
            {"starts_at": f"{_day()}T13:00:00+01:00", "minutes": 120},
        )
    assert response.status_code == 200
    (moved,) = [m for m in mail.outbox if m.to == [SIV]]
    assert "SEQUENCE:1" in _calendar(moved)
