"""What the invoice lines of a meeting or a month come to: pure functions of a meeting (with
its engagement), the engagement's price and the group's memberships, with no database query
of their own, so that the pricing rules can be tested without a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bollplank.billing.enums import LateCancellation, LineKind, PriceModel, Travel, Unit
from bollplank.billing.models import EngagementPrice
from bollplank.billing.money import line_amount
from bollplank.engagements.models import Engagement
from bollplank.meetings.enums import BILLABLE_CAUSES, MeetingStatus
from bollplank.meetings.models import Meeting


@dataclass
class LineDraft:
    kind: str
    engagement: Engagement
    description: str
    delivered_on: dt.date | None
    quantity: Decimal
    unit: str
    unit_price_ore: int
    vat_category: str
    meeting: Meeting | None = None
    fee_month: dt.date | None = None

    @property
    def amount_ore(self) -> int:
        return line_amount(self.quantity, self.unit_price_ore)


def meeting_hours(meeting: Meeting) -> Decimal:
    """The meeting's length in hours, to the hundredth."""
    seconds = Decimal((meeting.ends_at - meeting.starts_at).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"))


def members_on(engagement_id: int, day: dt.date, memberships: dict[int, list[Any]]) -> int:
    """How many were in the group on ``day``, from the (joined, left) pairs of memberships_of."""
    return sum(
        1
        for joined, left in memberships.get(engagement_id, [])
        if joined <= day and (left is None or left > day)
    )


def late_share_of(price: EngagementPrice) -> int:
    """How many percent of a meeting a late cancellation by the client side is charged under
    ``price`` (0: not charged; a monthly fee already covers every meeting)."""
    if price.late_cancellation == LateCancellation.NONE or price.model == PriceModel.FIXED_MONTHLY:
        return 0
    if price.late_cancellation == LateCancellation.FULL:
        return 100
    return int(price.late_cancellation_percent)


def meeting_lines(
    meeting: Meeting, price: EngagementPrice, memberships: dict[int, list[Any]]
) -> list[LineDraft]:
    """The lines a held meeting or a late cancellation comes to at ``price``: the meeting (or
    its share of it), and travel. A per-participant price counts those present (the
    ``present_count`` annotation) or, without attendance, the members that day."""
    engagement = meeting.engagement
    day = timezone.localdate(meeting.starts_at)
    late = meeting.status == MeetingStatus.CANCELLED
    what = f"{engagement.get_form_display().capitalize()}, {engagement.meeting_minutes} min"
    common: dict[str, Any] = {
        "engagement": engagement,
        "delivered_on": day,
        "vat_category": price.vat_category,
        "meeting": meeting,
    }
    if price.model == PriceModel.PER_HOUR:
        quantity, unit, unit_price = meeting_hours(meeting), Unit.HOUR, price.amount_ore
    elif price.model == PriceModel.PER_PARTICIPANT:
        present = getattr(meeting, "present_count", 0)
        count = present if present else members_on(engagement.pk, day, memberships)
        quantity, unit, unit_price = Decimal(count), Unit.PIECE, price.amount_ore
        what = _("%(what)s, %(count)s participants") % {"what": what, "count": count}
    elif price.model == PriceModel.FIXED_MONTHLY:
        quantity, unit, unit_price = Decimal(1), Unit.PIECE, 0
        what = _("%(what)s (included in the monthly fee)") % {"what": what}
    else:
        quantity, unit, unit_price = Decimal(1), Unit.PIECE, price.amount_ore
    if late:
        share = late_share_of(price)
        # The supervisor's or the practice's cancellation is never charged, however late.
        if not share or meeting.cancelled_by not in BILLABLE_CAUSES:
            return []
        description = _("Late cancellation, %(share)s %% of %(what)s") % {
            "share": share,
            "what": what[0].lower() + what[1:],
        }
        return [
            LineDraft(
                kind=LineKind.LATE_CANCELLATION,
                description=description,
                quantity=(quantity * share / 100).quantize(Decimal("0.01")),
                unit=unit,
                unit_price_ore=unit_price,
                **common,
            )
        ]
    lines = [
        LineDraft(
            kind=LineKind.MEETING,
            description=what,
            quantity=quantity,
            unit=unit,
            unit_price_ore=unit_price,
            **common,
        )
    ]
    if price.travel == Travel.FIXED and price.travel_amount_ore:
        lines.append(
            LineDraft(
                kind=LineKind.TRAVEL,
                description=_("Travel"),
                quantity=Decimal(1),
                unit=Unit.PIECE,
                unit_price_ore=price.travel_amount_ore,
                **common,
            )
        )
    elif price.travel == Travel.KM and price.travel_amount_ore and price.travel_km:
        lines.append(
            LineDraft(
                kind=LineKind.TRAVEL,
                description=_("Travel, %(km)s km") % {"km": price.travel_km},
                quantity=Decimal(price.travel_km),
                unit=Unit.KILOMETRE,
                unit_price_ore=price.travel_amount_ore,
                **common,
            )
        )
    return lines


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months whose first day lies in [start, end]."""
    first = start.replace(day=1)
    if first < start:
        first = (first + dt.timedelta(days=32)).replace(day=1)
    months = []
    while first <= end:
        months.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def month_end(first: dt.date) -> dt.date:
    """The last day of the month that begins on ``first``."""
    return (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def fee_line(engagement: Engagement, price: EngagementPrice, month: dt.date) -> LineDraft:
    """The fixed monthly fee of ``month`` (its first day), described in the client's language."""
    with translation.override(engagement.client.language):
        label = date_format(month, "YEAR_MONTH_FORMAT")
        return LineDraft(
            kind=LineKind.FIXED_FEE,
            engagement=engagement,
            description=_("Fixed monthly fee, %(month)s") % {"month": label},
            delivered_on=month_end(month),
            quantity=Decimal(1),
            unit=Unit.MONTH,
            unit_price_ore=price.amount_ore,
            vat_category=price.vat_category,
            fee_month=month,
        )
