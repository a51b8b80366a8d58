"""Permission matrix rows of invoice delivery (collected by tests/matrix/__init__.py): the
access point's settings and sending a failed delivery again are for practice admins; another
practice's delivery is not found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_scopes import scopes_disabled

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, Case, P


def _failed_delivery(w: World, practice: Any = None) -> list[Any]:
    """An issued invoice (a fixed one for another practice) with a failed e-mail delivery."""
    from bollplank.billing.models import Delivery, Invoice
    from bollplank.core import clock

    practice = practice or w.practice
    client = w.client if practice == w.practice else None
    with scopes_disabled():
        if client is None:
            from tests import factories as f

            client = f.ClientFactory(practice=practice)
        invoice = Invoice.objects.create(
            practice=practice,
            client=client,
            status="open",
            series="A",
            number=9001,
            period_start=clock.today(),
            period_end=clock.today(),
            issue_date=clock.today(),
            issued_at=clock.now(),
        )
        delivery = Delivery.objects.create(
            practice=practice,
            invoice=invoice,
            channel="email",
            status="failed",
            last_error="no address",
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        )
    return [P, invoice.pk, delivery.pk]


MATRIX: list[Case] = [
    ("access_point_settings", "get", lambda w: [P], ADMIN_ONLY),
    ("delivery_resend", "post", _failed_delivery, {**ADMIN_ONLY, "admin": 302}),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("delivery_resend", lambda w: _failed_delivery(w, w.other_practice)),
]
