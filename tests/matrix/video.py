"""Permission matrix rows of video meetings (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, STAFF_ONLY, Case, P


def _open_video_meeting(w: World) -> list[Any]:
    """The world's group meets by video on the practice's server, a meeting starting in ten
    minutes: its room is open."""
    from bollplank.core import clock
    from bollplank.engagements.enums import Venue
    from bollplank.meetings.services import new_meeting
    from bollplank.meetings.video_servers import video_server_save

    video_server_save(
        actor=w.admin,
        practice=w.practice,
        base_url="https://video.ekbacken.example",
        app_id="bollplank",
        secret="x" * 40,
    )
    w.engagement.venue, w.engagement.video_url = Venue.VIDEO, ""
    w.engagement.save()
    start = clock.now() + dt.timedelta(minutes=10)
    meeting = new_meeting(w.engagement, start, start + dt.timedelta(hours=2), "")
    meeting.save()
    return [P, meeting.pk]


MATRIX: list[Case] = [
    ("video_settings", "get", lambda w: [P], ADMIN_ONLY),
    # Only the meeting's supervisor and its participants are sent on to the room (302 to the
    # video server); an admin sees the meeting but has no seat in it.
    (
        "meeting_join",
        "get",
        _open_video_meeting,
        {
            **STAFF_ONLY,
            "admin": 404,
            "supervisor": 302,
            "other_supervisor": 404,
            "participant": 302,
            "outsider": 404,
        },
    ),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("meeting_join", lambda w: [P, w.foreign_meeting.pk]),
]
