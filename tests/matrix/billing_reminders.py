"""Permission matrix rows of the payment reminders (collected by tests/matrix/__init__.py):
practice admins only; another practice's invoice and reminder are not found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_scopes import scopes_disabled

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, Case, P


def _overdue(w: World, practice: Any = None) -> Any:
    """An issued invoice past its due date, in the world's practice (or the other one)."""
    from bollplank.billing import services
    from tests.billing.conftest import day, held_meeting, month_end, settings_for

    practice = practice or w.practice
    if practice == w.practice:
        settings_for(practice)
        engagement = w.engagement
    else:
        settings_for(practice, bankgiro="1234-5674")
        engagement = w.foreign_engagement
        held_meeting(engagement, day(10))
    with scopes_disabled():
        [draft] = [
            d
            for d in services.invoice_run(
                actor=w.admin, practice=practice, period_start=day(1), period_end=month_end()
            )
            if d.client_id == engagement.client_id
        ]
        return services.invoice_issue(actor=w.admin, invoice=draft, today=day(2, 1))


def _reminded(w: World, practice: Any = None) -> list[Any]:
    from bollplank.billing.services import reminders

    invoice = _overdue(w, practice)
    with scopes_disabled():
        reminder = reminders.reminder_create(actor=None, invoice=invoice, to="")
    return [P, invoice.pk, reminder.number]


MATRIX: list[Case] = [
    ("reminder_send", "get", lambda w: [P, _overdue(w).pk], ADMIN_ONLY),
    ("reminder_pdf", "get", _reminded, ADMIN_ONLY),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("reminder_send", lambda w: [P, _overdue(w, w.other_practice).pk]),
    ("reminder_pdf", lambda w: _reminded(w, w.other_practice)),
]
