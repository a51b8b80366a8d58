"""The demo firm's billing (called from demo/firm.py): its settings, and the month before last
invoiced and issued, so that the billing pages show invoices and last month is left for the
user's own first run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bollplank.billing import services
from bollplank.clients.demo import org_number
from bollplank.core.models import Practice


def demo_billing(*, practice: Practice, admin: Any, today: dt.date, now: dt.datetime) -> None:
    """Billing settings, then the run of the month before last, every draft issued."""
    services.billing_settings_save(
        actor=admin,
        practice=practice,
        legal_name="Ekbacken handledning AB",
        org_number=org_number("559123456"),
        vat_number="SE" + org_number("559123456").replace("-", "") + "01",
        f_tax=True,
        street="Ekbackevägen 7",
        postal_code="745 32",
        city="Enköping",
        email="faktura@ekbacken.example",
        phone="0171-12 34 56",
        bankgiro="5050-1055",
        payment_terms_days=30,
        number_series="",
        first_number=1001,
    )
    first_of_month = today.replace(day=1)
    last_month_end = first_of_month - dt.timedelta(days=1)
    start = (last_month_end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    end = last_month_end.replace(day=1) - dt.timedelta(days=1)
    for draft in services.invoice_run(
        actor=admin, practice=practice, period_start=start, period_end=end, now=now
    ):
        services.invoice_issue(actor=admin, invoice=draft, today=end + dt.timedelta(days=2))
