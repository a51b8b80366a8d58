"""The hand-written feed serialiser writes exactly what icalendar writes (see meetings/ics.py)."""

from __future__ import annotations

from typing import Any

import icalendar
import pytest
from django_scopes import scopes_disabled

from bollplank.meetings.ics import _timezone_years, _vtimezone, calendar_bytes, meeting_event
from bollplank.meetings.models import Meeting
from tests import factories as f


def _reference(meetings: list[Meeting], urls: dict[int, str], with_location: bool) -> bytes:
    """calendar_bytes as it was, built with icalendar but for the VTIMEZONE: that comes from
    the tz database (meetings/vtimezone.py; icalendar's puts the spring change an hour late)
    and is checked against zoneinfo in tests/meetings/test_ics_readers.py."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Bollplank//Bollplank//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # A TEXT value, escaped like SUMMARY (icalendar writes unknown X- properties raw).
    cal.add("x-wr-calname", icalendar.vText("Bench – Åsa; Ö, ä"))
    cal.add("x-wr-timezone", "Europe/Stockholm")
    for m in meetings:
        cal.add_component(meeting_event(m, url=urls.get(m.pk, ""), with_location=with_location))
    first, last = _timezone_years(meetings)
    text = cal.to_ical().decode()
    at = text.index("BEGIN:VEVENT")
    return (text[:at] + _vtimezone(first, last) + text[at:]).encode()


@pytest.mark.parametrize("with_location", [True, False])
def test_calendar_bytes_equal_icalendar_for_awkward_text(db: Any, with_location: bool) -> None:
    engagement = f.EngagementFactory(
        title="Lärarlaget; åk 4–6, \\ grupp\nett " + "långt namn " * 12
    )
    meetings = [
        f.MeetingFactory(engagement=engagement, location="Storgatan 1, Ekby; rum \\ 3"),
        f.MeetingFactory(
            engagement=engagement, location="https://video.example/" + "å" * 80, sequence=3
        ),
        f.MeetingFactory(engagement=engagement, status="cancelled", location=""),
    ]
    with scopes_disabled():
        loaded = list(Meeting.objects.select_related("engagement").order_by("pk"))
    urls = {loaded[0].pk: "https://bollplank.example/p/x/meetings/1/" + "a" * 70}
    got = calendar_bytes(
        loaded,
        name="Bench – Åsa; Ö, ä",
        urls=urls,
        with_location=with_location,
    )
    assert len(meetings) == 3
    assert got == _reference(loaded, urls, with_location)


def test_calendar_bytes_without_meetings_has_no_timezone(db: Any) -> None:
    assert b"VTIMEZONE" not in calendar_bytes([], name="Tom")
