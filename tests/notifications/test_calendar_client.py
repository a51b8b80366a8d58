"""A real calendar client reads the meeting e-mails' invitations (issue 9): khal (Debian's
``khal``, installed by ``make test``) imports the invitation, then the moved one (same UID,
higher SEQUENCE), then the cancellation, and its view of the participant's calendar is checked
each time. The invitations are also parsed with ``icalendar``.

khal keeps one event per UID (the move replaces it) and shows a cancelled event as CANCELLED
rather than removing it (mail clients such as Thunderbird and Outlook remove it on METHOD:CANCEL).
It does not compare SEQUENCE, so the test imports in the order the mails were sent."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django_scopes import scope

from bollplank.meetings import services as meeting_services
from tests.conftest import World
from tests.notifications.test_notifications import _calendar, _day, _plan

KHAL = shutil.which("khal")
STOCKHOLM = ZoneInfo("Europe/Stockholm")

CONFIG = """[calendars]
[[mine]]
path = {cal}
type = calendar

[locale]
local_timezone = Europe/Stockholm
default_timezone = Europe/Stockholm
timeformat = %H:%M
dateformat = %Y-%m-%d
longdateformat = %Y-%m-%d
datetimeformat = %Y-%m-%d %H:%M
longdatetimeformat = %Y-%m-%d %H:%M

[sqlite]
path = {db}
"""


class Khal:
    def __init__(self, root: Path) -> None:
        self.cal = root / "calendar"
        self.cal.mkdir()
        self.config = root / "khal.conf"
        self.config.write_text(CONFIG.format(cal=self.cal, db=root / "khal.db"))

    def run(self, *args: str) -> str:
        assert KHAL is not None
        done = subprocess.run(  # noqa: S603
            [KHAL, "-c", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={"HOME": str(self.cal.parent), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def import_(self, ics: str, name: str) -> None:
        path = self.cal.parent / name
        path.write_text(ics)
        self.run("import", "--batch", str(path))

    def events(self, around: dt.date) -> list[str]:
        # An explicit range: khal's own clock is the machine's, not the test's instant.
        first = around - dt.timedelta(days=7)
        out = self.run("list", "--format", "{start} {end} {title} {status}", f"{first}", "30d")
        return [line.strip() for line in out.splitlines() if line[:4].isdigit()]


def _pia_invitation() -> tuple[str, Any]:
    message = next(m for m in mail.outbox if m.to == ["pia@solbacka.se"])
    text = _calendar(message)
    (event,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    mail.outbox.clear()
    return text, event


def _check(event: Any, calendar_text: str, method: str, sequence: int, start: str) -> None:
    assert icalendar.Calendar.from_ical(calendar_text)["METHOD"] == method
    assert int(event["SEQUENCE"]) == sequence
    starts = event.decoded("DTSTART")
    assert starts.tzinfo is not None and str(starts.tzinfo) == "Europe/Stockholm"
    assert starts.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M") == start


@pytest.mark.skipif(KHAL is None, reason="khal is not installed (make test installs it)")
def test_khal_shows_the_meeting_then_moved_then_cancelled(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    khal = Khal(tmp_path)
    day = _day()
    meeting = _plan(world, django_capture_on_commit_callbacks, day)
    uid = f"{meeting.uid}@bollplank"

    invitation, event = _pia_invitation()
    _check(event, invitation, "REQUEST", 0, f"{day} 09:00")
    khal.import_(invitation, "invitation.ics")
    assert khal.events(day) == [f"{day} 09:00 {day} 11:00 Lärarlaget åk 4–6 CONFIRMED"]

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_reschedule(
            actor=world.supervisor, meeting=meeting, day=day, time=dt.time(13, 0), minutes=120
        )
    moved, moved_event = _pia_invitation()
    _check(moved_event, moved, "REQUEST", 1, f"{day} 13:00")
    assert str(moved_event["UID"]) == str(event["UID"]) == uid
    khal.import_(moved, "moved.ics")
    # The same event, moved: not a second one beside the old time.
    assert khal.events(day) == [f"{day} 13:00 {day} 15:00 Lärarlaget åk 4–6 CONFIRMED"]

    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        meeting_services.meeting_cancel(
            cancelled_by="supervisor", reason="Sjukdom", actor=world.supervisor, meeting=meeting
        )
    cancelled, cancelled_event = _pia_invitation()
    _check(cancelled_event, cancelled, "CANCEL", 2, f"{day} 13:00")
    assert str(cancelled_event["UID"]) == uid
    khal.import_(cancelled, "cancel.ics")
    assert khal.events(day) == [f"{day} 13:00 {day} 15:00 Lärarlaget åk 4–6 CANCELLED"]
    assert [p.name for p in khal.cal.iterdir()] == [f"{uid}.ics"]


@pytest.mark.slow
@pytest.mark.skipif(KHAL is None, reason="khal is not installed (make test installs it)")
def test_khal_imports_a_series_invitation_as_eight_meetings(
    world: World, django_capture_on_commit_callbacks: Any, tmp_path: Path
) -> None:
    khal = Khal(tmp_path)
    first = _day()
    chosen = [
        meeting_services.ChosenMeeting(first + dt.timedelta(weeks=i), dt.time(9, 0))
        for i in range(8)
    ]
    with django_capture_on_commit_callbacks(execute=True), scope(practice=world.practice):
        series = meeting_services.meetings_create_series(
            actor=world.supervisor, engagement=world.engagement, chosen=chosen
        )
    (message,) = [m for m in mail.outbox if m.to == ["pia@solbacka.se"]]

    khal.import_(_calendar(message), "series.ics")

    out = khal.run("list", "--format", "{start} {title}", f"{first}", "60d")
    listed = [line.strip() for line in out.splitlines() if line[:4].isdigit()]
    assert listed == [
        f"{m.starts_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M} Lärarlaget åk 4–6" for m in series
    ]
    assert sorted(p.name for p in khal.cal.iterdir()) == sorted(
        f"{m.uid}@bollplank.ics" for m in series
    )
