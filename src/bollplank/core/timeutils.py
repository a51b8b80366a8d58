"""Local time done right: Swedish holidays, ISO weeks and wall-clock times across DST changes.

Recurring meetings are computed as local wall-clock times (a Tuesday 09:00 stays 09:00 when
the clocks change) and only then converted to UTC for storage.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

# Public holidays plus the eves everyone treats as holidays (Midsommarafton, Julafton, Nyårsafton).
HOLIDAY_CATEGORIES = ("public", "de_facto")


@lru_cache(maxsize=64)
def _holidays(year: int, language: str) -> dict[dt.date, str]:
    lang = "sv" if language.startswith("sv") else "en_US"
    return dict(
        holidays.country_holidays("SE", years=year, language=lang, categories=HOLIDAY_CATEGORIES)
    )


def holiday_name(day: dt.date) -> str | None:
    """The name of the Swedish holiday on ``day`` in the active language, or None."""
    return _holidays(day.year, translation.get_language() or "sv").get(day)


def holidays_between(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    lang = translation.get_language() or "sv"
    found: dict[dt.date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _holidays(year, lang).items():
            if first <= day <= last:
                found[day] = name
    return found


# Dates outside this range are refused: far enough for any real planning, and clear of the
# edges where datetime arithmetic overflows.
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def after(start: dt.datetime, minutes: int) -> dt.datetime:
    """``start`` plus a duration, counted in real time (UTC): a 120-minute meeting lasts two
    hours also on the night the clocks change. Aware arithmetic in a local zone would not."""
    return start.astimezone(dt.UTC) + dt.timedelta(minutes=minutes)


def in_range(day: dt.date) -> bool:
    return MIN_DATE <= day <= MAX_DATE


class LocalTimeError(ValidationError):
    """A wall-clock time that does not exist, or exists twice, on that day."""


def make_local(day: dt.date, time: dt.time, tz_name: str) -> dt.datetime:
    """An aware datetime for ``day`` at wall-clock ``time`` in ``tz_name``.

    Raises LocalTimeError for a time skipped when the clocks go forward (02:30 on the spring
    change in Sweden) and for a time that happens twice when they go back (02:30 in autumn).
    """
    if not in_range(day):
        raise LocalTimeError(
            _("Choose a date between %(min)s and %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()},
            code="date_out_of_range",
        )
    tz = ZoneInfo(tz_name)
    naive = dt.datetime.combine(day, time)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    round_trip = first.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None)
    if round_trip != naive:
        raise LocalTimeError(
            _(
                "%(time)s does not exist on %(day)s: the clocks go forward that night. "
                "Choose another time."
            ),
            code="nonexistent_time",
            params={"time": time.strftime("%H:%M"), "day": day.isoformat()},
        )
    raise LocalTimeError(
        _(
            "%(time)s happens twice on %(day)s: the clocks go back that night. "
            "Choose a time outside 02:00–03:00."
        ),
        code="ambiguous_time",
        params={"time": time.strftime("%H:%M"), "day": day.isoformat()},
    )
