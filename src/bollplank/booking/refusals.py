"""Why a time cannot be booked, in words: the one set of texts for the reason codes of the
free-time sweep (booking/freetime.py), used by supervision bookings, first talks and mentoring
meetings alike."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from bollplank.booking import freetime
from bollplank.booking.selectors import settings_of
from bollplank.core.models import Practice


def refusal(
    reason: str, *, notice_hours: int, horizon_days: int, outside_hours: str
) -> ValidationError:
    """The refusal for ``reason`` (a freetime code). ``outside_hours`` says whose hours a time
    fell outside of (a supervisor's bookable hours, the hours a mentor can meet)."""
    texts = {
        freetime.PAST: _("That time has already passed. Choose one of the free times."),
        freetime.NOTICE: _(
            "That time is too soon: bookings need %(hours)d hours' notice. Choose a later time."
        )
        % {"hours": notice_hours},
        freetime.HORIZON: _("That time is too far ahead: bookings open %(days)d days ahead.")
        % {"days": horizon_days},
        freetime.DST: _(
            "That time crosses the change to or from daylight saving time. Choose another time."
        ),
        freetime.HOURS: outside_hours,
        freetime.TAKEN: _("That time is no longer free. Choose another one."),
    }
    return ValidationError(texts[reason], code=reason)


def booking_refusal(reason: str, practice: Practice, supervisor: Any) -> ValidationError:
    """The refusal of a time with a supervisor, by the supervisor's booking rules."""
    config = settings_of(practice, supervisor)
    return refusal(
        reason,
        notice_hours=config.notice_hours,
        horizon_days=config.horizon_days,
        outside_hours=_("That time is outside the supervisor's bookable hours."),
    )
