"""The pricing rules are pure functions: these tests build unsaved rows and touch no
database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import translation

from bollplank.billing.enums import LateCancellation, LineKind, PriceModel, Travel, Unit
from bollplank.billing.models import EngagementPrice
from bollplank.billing.services.pricing import fee_line, meeting_lines, month_end, months_between
from bollplank.clients.models import Client
from bollplank.engagements.enums import Form
from bollplank.engagements.models import Engagement
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _meeting(status: str = MeetingStatus.PLANNED) -> Meeting:
    client = Client(name="Kommun", language="sv")
    engagement = Engagement(pk=7, client=client, form=Form.GROUP, meeting_minutes=120)
    starts = dt.datetime(2026, 3, 10, 9, 0, tzinfo=STOCKHOLM)
    return Meeting(
        engagement=engagement,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=90),
        status=status,
    )


def test_meeting_lines_per_hour_with_travel_by_km() -> None:
    price = EngagementPrice(
        model=PriceModel.PER_HOUR,
        amount_ore=120000,
        travel=Travel.KM,
        travel_amount_ore=250,
        travel_km=40,
    )

    with translation.override("en"):
        lines = meeting_lines(_meeting(), price, {})

    assert [(x.kind, x.quantity, x.unit, x.amount_ore) for x in lines] == [
        (LineKind.MEETING, Decimal("1.50"), Unit.HOUR, 180000),
        (LineKind.TRAVEL, Decimal(40), Unit.KILOMETRE, 10000),
    ]


def test_meeting_lines_per_participant_counts_the_members_that_day() -> None:
    price = EngagementPrice(model=PriceModel.PER_PARTICIPANT, amount_ore=50000)
    day = dt.date(2026, 3, 10)
    memberships = {7: [(day, None), (day, None), (day - dt.timedelta(days=30), day)]}

    [line] = meeting_lines(_meeting(), price, memberships)

    assert (line.quantity, line.amount_ore) == (Decimal(2), 100000)


def test_late_cancellation_is_a_share_of_the_meeting() -> None:
    price = EngagementPrice(
        model=PriceModel.PER_MEETING,
        amount_ore=400000,
        late_cancellation=LateCancellation.PART,
        late_cancellation_percent=50,
    )

    [line] = meeting_lines(_meeting(MeetingStatus.CANCELLED), price, {})

    assert (line.kind, line.quantity, line.amount_ore) == (
        LineKind.LATE_CANCELLATION,
        Decimal("0.50"),
        200000,
    )


def test_fee_line_is_one_month_delivered_on_its_last_day() -> None:
    engagement = _meeting().engagement
    price = EngagementPrice(model=PriceModel.FIXED_MONTHLY, amount_ore=900000)

    line = fee_line(engagement, price, dt.date(2026, 2, 1))

    assert (line.kind, line.delivered_on, line.fee_month, line.amount_ore) == (
        LineKind.FIXED_FEE,
        dt.date(2026, 2, 28),
        dt.date(2026, 2, 1),
        900000,
    )


def test_months_between_takes_the_months_whose_first_day_is_inside() -> None:
    assert months_between(dt.date(2026, 1, 15), dt.date(2026, 4, 1)) == [
        dt.date(2026, 2, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
    ]
    assert month_end(dt.date(2028, 2, 1)) == dt.date(2028, 2, 29)
