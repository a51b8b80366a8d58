"""Billing fixtures: the world's practice with its billing settings filled in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled

from bollplank.billing.models import BillingSettings
from tests import factories as f
from tests import timecontrol as tc
from tests.conftest import World


def settings_for(practice: Any, **overrides: Any) -> BillingSettings:
    fields: dict[str, Any] = {
        "legal_name": "Ekbacken Handledning AB",
        "org_number": "556677-8899",
        "vat_number": "SE556677889901",
        "f_tax": True,
        "street": "Ekbackevägen 7",
        "postal_code": "745 32",
        "city": "Ekby",
        "email": "faktura@ekbacken.example",
        "bankgiro": "5050-1055",
        "payment_terms_days": 30,
        "late_interest_text": "Dröjsmålsränta enligt räntelagen.",
        "exemption_text": "Undantag från skatteplikt enligt 10 kap. mervärdesskattelagen.",
        "number_series": "A",
        "first_number": 1001,
    }
    fields.update(overrides)
    with scopes_disabled():
        return BillingSettings.objects.create(practice=practice, **fields)


# The billing story: the world's meeting is held on the 10th of the month three months before
# the instant's (tests/timecontrol.py), a month well past whose invoice run is due; other
# meetings and dates are days of that month or of the months around it.
STORY = -3


def month_start(months: int = 0) -> dt.date:
    """The first day of the story's month, ``months`` months later (earlier if negative)."""
    return tc.month_start(STORY + months)


def day(number: int, months: int = 0) -> dt.date:
    """Day ``number`` (1–28) of the story's month, ``months`` months later."""
    assert 1 <= number <= 28, "every month has 28 days; use month_end() for the last one"
    return month_start(months).replace(day=number)


def month_end(months: int = 0) -> dt.date:
    return month_start(months + 1) - dt.timedelta(days=1)


def month(months: int = 0) -> tuple[dt.date, dt.date]:
    """The story's month (``months`` later) as an invoice run's period."""
    return month_start(months), month_end(months)


def held_meeting(engagement: Any, day: dt.date, hour: int = 8, **kwargs: Any) -> Any:
    start = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)
    return f.MeetingFactory(
        engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2), **kwargs
    )


@pytest.fixture
def billing(world: World) -> World:
    """The world with billing settings and a client reference; the world's meeting is held on
    the 10th of the story's month."""
    settings_for(world.practice)
    with scopes_disabled():
        world.client.invoice_reference = "SOL-4410"
        world.client.street = "Skolvägen 4"
        world.client.postal_code = "745 31"
        world.client.save()
    return world
