"""The one place the code reads the clock.

Everything that needs "now" or "today" asks here, and a function that works "as of" a moment
takes it as an argument and passes it on, so that a test (or the demo loader) that sets the
moment gets one consistent day everywhere. Tests set the instant with time-machine, which this
module follows; nothing else in ``src/`` may read the clock directly (ruff's banned-api rule in
pyproject.toml keeps it so).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant, aware, in UTC."""
    return timezone.now()


def today(tz: dt.tzinfo | str | None = None) -> dt.date:
    """Today's date in ``tz`` (a zone or its name), by default the active time zone."""
    if isinstance(tz, str):
        tz = ZoneInfo(tz)
    return timezone.localdate(now(), tz)


def localnow(tz: dt.tzinfo | str | None = None) -> dt.datetime:
    """The current instant as a wall-clock time in ``tz``, by default the active time zone."""
    if isinstance(tz, str):
        tz = ZoneInfo(tz)
    return timezone.localtime(now(), tz)


def timestamp() -> float:
    """The current instant in seconds since the epoch (for signed tokens and session marks)."""
    return now().timestamp()
