"""Payment reminders: which overdue invoices are due for one, what it says, and the daily run.

An invoice is due for a reminder when it is an issued invoice (not a credit note) still open or
part paid with something left to pay, the practice's days after its due date have passed, the
days between reminders have passed since its last one, and it has had fewer than the practice's
most. The run is idempotent: a reminder sent today makes the invoice not due again today (the
interval is at least one day), and the reminder's number is unique per invoice.

The reminder fee is stated on the first reminder only and paid with the rest to the invoice's
OCR reference; interest on late payment (räntelagen 6 §) is reckoned on what is still owed, from
the due date to the reminder's date, at the practice's rate. Both are outside the scope of VAT
(compensation for the delay, not a supply), so no debit note is made: a payment that includes
them shows on the invoice as overpaid by that much, which the admin books as fee and interest.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from bollplank.billing.enums import InvoiceKind, InvoiceStatus
from bollplank.billing.models import BillingSettings, Invoice, Reminder
from bollplank.core import clock
from bollplank.core.audit import audit
from bollplank.core.periodic import ensure_pending
from bollplank.core.tasking import task_at

# The worker's tasks (billing/tasks.py), enqueued by reference (core/tasking.py).
RUN_REMINDERS = "bollplank.billing.tasks.run_reminders"
SEND_REMINDER = "bollplank.billing.tasks.send_reminder"
# Days the buyer is given to pay after a reminder's date.
PAY_WITHIN_DAYS = 10
# The run is daily, at this hour in Swedish time: mail arrives at the start of a working day.
RUN_HOUR = 6
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")
REMINDABLE = (InvoiceStatus.OPEN, InvoiceStatus.PART_PAID)


def interest_ore(outstanding_ore: int, percent: Decimal, days: int) -> int:
    """Simple interest on ``outstanding_ore`` at ``percent`` a year for ``days`` days (a year
    of 365 days), rounded to whole öre."""
    if outstanding_ore <= 0 or percent <= 0 or days <= 0:
        return 0
    amount = Decimal(outstanding_ore) * percent / 100 * days / 365
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reminder_terms(
    invoice: Invoice, settings: BillingSettings, today: dt.date, *, sent_before: int
) -> Reminder:
    """The next reminder of ``invoice`` on ``today`` (unsaved): what it says it owes."""
    assert invoice.due_date is not None
    outstanding = invoice.outstanding_ore
    days = max(0, (today - invoice.due_date).days)
    return Reminder(
        practice_id=invoice.practice_id,
        invoice=invoice,
        number=sent_before + 1,
        sent_on=today,
        pay_by=today + dt.timedelta(days=PAY_WITHIN_DAYS),
        outstanding_ore=outstanding,
        interest_percent=settings.late_interest_percent,
        interest_days=days,
        interest_ore=interest_ore(outstanding, settings.late_interest_percent, days),
        # Charged once per invoice: a second reminder repeats the debt, not the fee.
        fee_ore=settings.reminder_fee_ore if sent_before == 0 else 0,
    )


def remindable(invoice: Invoice, today: dt.date) -> bool:
    """Whether a reminder may be sent for the invoice at all (by hand or by the run)."""
    return (
        invoice.kind == InvoiceKind.INVOICE
        and invoice.status in REMINDABLE
        and invoice.due_date is not None
        and invoice.due_date < today
        and invoice.outstanding_ore > 0
    )


def reminders_due(practice: Any, settings: BillingSettings, today: dt.date) -> list[Invoice]:
    """The practice's invoices due for a reminder on ``today``: one query."""
    if not settings.reminders_enabled:
        return []
    candidates = (
        Invoice.objects.filter(
            practice=practice,
            kind=InvoiceKind.INVOICE,
            status__in=REMINDABLE,
            due_date__lte=today - dt.timedelta(days=settings.reminder_first_days),
        )
        .annotate(sent=Count("reminders"), last_sent=Max("reminders__sent_on"))
        .select_related("client")
        .order_by("due_date", "pk")
    )
    interval = dt.timedelta(days=settings.reminder_interval_days)
    return [
        invoice
        for invoice in candidates
        if remindable(invoice, today)
        and invoice.sent < settings.reminder_max
        and (invoice.last_sent is None or invoice.last_sent + interval <= today)
    ]


def reminder_address(invoice: Invoice) -> str:
    """Where the reminder goes: the client's first contact, as for the invoice itself."""
    contact = invoice.client.contacts.order_by("pk").first()
    return contact.email if contact else ""


@transaction.atomic
def reminder_create(
    *, actor: Any, invoice: Invoice, today: dt.date | None = None, to: str | None = None
) -> Reminder:
    """Record the invoice's next reminder and e-mail it with its PDF (after the transaction
    commits). Refused when the invoice is paid, credited, not yet overdue, or already reminded
    today."""
    today = today or clock.today()
    invoice = Invoice.objects.select_for_update().select_related("client").get(pk=invoice.pk)
    if not remindable(invoice, today):
        raise ValidationError(_("Only an overdue invoice with something left to pay is reminded."))
    previous = list(Reminder.objects.filter(invoice=invoice).order_by("number"))
    if previous and previous[-1].sent_on >= today:
        raise ValidationError(_("The invoice was already reminded today."))
    settings = BillingSettings.objects.get(practice_id=invoice.practice_id)
    reminder = reminder_terms(invoice, settings, today, sent_before=len(previous))
    reminder.sent_to = reminder_address(invoice) if to is None else to
    reminder.created_by = actor
    reminder.full_clean(exclude=["practice", "invoice", "created_by"])
    reminder.save()
    if reminder.sent_to:
        practice_id, reminder_id = invoice.practice_id, reminder.pk
        transaction.on_commit(
            lambda: task_at(SEND_REMINDER).enqueue(practice_id=practice_id, reminder_id=reminder_id)
        )
    audit(
        actor,
        "billing.reminder.sent",
        invoice,
        {
            "number": invoice.display_number,
            "reminder": reminder.number,
            "fee_ore": reminder.fee_ore,
            "interest_ore": reminder.interest_ore,
            "outstanding_ore": reminder.outstanding_ore,
            "emailed": bool(reminder.sent_to),
        },
    )
    return reminder


def reminder_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind every invoice due for it, in every practice with reminders on."""
    today = today or clock.today()
    with scopes_disabled():
        settings_list = list(
            BillingSettings.objects.filter(reminders_enabled=True).select_related("practice")
        )
    done = {"practices": 0, "reminders": 0}
    for settings in settings_list:
        practice = settings.practice
        with scope(practice=practice):
            for invoice in reminders_due(practice, settings, today):
                try:
                    reminder_create(actor=None, invoice=invoice, today=today)
                except ValidationError:
                    continue  # paid or reminded in the meantime
                done["reminders"] += 1
        done["practices"] += 1
    return done


def next_run_delay(now: dt.datetime | None = None) -> dt.timedelta:
    """From ``now`` to the next RUN_HOUR o'clock in Swedish time."""
    now = now or clock.now()
    local = now.astimezone(SWEDISH_TIME)
    target = local.replace(hour=RUN_HOUR, minute=0, second=0, microsecond=0)
    if target <= local:
        target += dt.timedelta(days=1)
    # In UTC: two times in one zone subtract as wall clocks, which is an hour off across a
    # daylight-saving change (the run then came at 05:00).
    return target.astimezone(dt.UTC) - now.astimezone(dt.UTC)


def ensure_reminder_chain(*, delay: dt.timedelta | None = None) -> bool:
    """Make sure a run of ``run_reminders`` is waiting (database task backend)."""
    return ensure_pending(task_at(RUN_REMINDERS), delay=delay or next_run_delay())
