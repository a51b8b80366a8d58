"""The demo firm's self-booking: Karin's bookable hours, and room in the nurse's individual
engagement for a few more meetings that she books herself (called from demo/firm.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bollplank.booking import services
from bollplank.booking.models import Place
from bollplank.core.models import Practice
from bollplank.engagements.services import engagement_update

EXTRA_MEETINGS = 4


def demo_booking(practice: Practice, supervisor: Any, engagement: Any) -> None:
    """Weekdays at the premises, Friday mornings on video; four more meetings to book."""
    services.settings_save(
        actor=supervisor,
        practice=practice,
        values={"notice_hours": 24, "horizon_days": 56, "buffer_minutes": 15, "travel_minutes": 45},
    )
    for weekday in range(4):
        for start, end in ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(16))):
            services.hours_add(
                actor=supervisor,
                practice=practice,
                weekday=weekday,
                start=start,
                end=end,
                place=Place.PREMISES,
            )
    services.hours_add(
        actor=supervisor,
        practice=practice,
        weekday=4,
        start=dt.time(9),
        end=dt.time(12),
        place=Place.VIDEO,
    )
    engagement_update(
        actor=supervisor,
        engagement=engagement,
        meetings_ordered=engagement.meetings_ordered + EXTRA_MEETINGS,
    )
