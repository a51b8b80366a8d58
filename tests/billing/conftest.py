"""Billing fixtures: the world's practice with its billing settings filled in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django_scopes import scopes_disabled

from bollplank.billing.models import BillingSettings
from tests import factories as f
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


def held_meeting(engagement: Any, day: dt.date, hour: int = 8, **kwargs: Any) -> Any:
    start = dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=dt.UTC)
    return f.MeetingFactory(
        engagement=engagement, starts_at=start, ends_at=start + dt.timedelta(hours=2), **kwargs
    )


@pytest.fixture
def billing(world: World) -> World:
    """The world with billing settings and a client reference; the world's meeting (10 March
    2026) is held."""
    settings_for(world.practice)
    with scopes_disabled():
        world.client.invoice_reference = "SOL-4410"
        world.client.street = "Skolvägen 4"
        world.client.postal_code = "745 31"
        world.client.save()
    return world
