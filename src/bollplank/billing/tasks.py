"""Background work for billing: deliver issued invoices (Peppol or e-mail) and follow them,
e-mail an invoice or a reminder with its PDF attached, read the BgMax files that arrive in the
watched folder (BOLLPLANK_BGMAX_DIR) every ten minutes, and remind overdue invoices once a day;
each chain enqueues its own next run and is restarted by the worker when lost (core.periodic)."""

from __future__ import annotations

from django_scopes import scope
from django_tasks import task

from bollplank.billing.models import BillingSettings, Invoice, Reminder
from bollplank.billing.pdf import invoice_pdf, pdf_filename, reminder_filename, reminder_pdf
from bollplank.billing.services import delivery, payments, reminders
from bollplank.core.mail import queue_mail
from bollplank.core.models import Practice


@task()
def send_invoice(*, practice_id: int, invoice_id: int, to: str) -> int:
    """Render the invoice's PDF and put the mail, in the buyer's language, in the outbox
    (which sends it, retries it and shows a failure to the practice admin)."""
    practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        invoice = Invoice.objects.select_related("client").get(pk=invoice_id, practice=practice)
        settings = BillingSettings.objects.filter(practice=practice).first()
        pdf = invoice_pdf(invoice, settings)
        queued = queue_mail(
            to=to,
            template="billing/email/invoice",
            context={"invoice": invoice, "seller": invoice.seller},
            language=invoice.language or "sv",
            kind="invoice",
            practice=practice,
            attachment=(pdf_filename(invoice), pdf, "application/pdf"),
            reply_to=invoice.seller.get("email", ""),
        )
    return 1 if queued else 0


@task()
def import_bgmax_folder() -> dict[str, int]:
    """Import the BgMax files waiting in the watched folder, then enqueue the next look."""
    try:
        return payments.bgmax_import_folder()
    finally:
        payments.ensure_bgmax_chain()


@task()
def deliver_invoice(*, delivery_id: int) -> str:
    """Send one queued delivery of an invoice (claimed first, so a second worker cannot send
    it again); a failure the far end may get over is enqueued again later."""
    return delivery.delivery_attempt(delivery_id)


@task()
def check_delivery(*, delivery_id: int) -> str:
    """Ask the access point whether a sent invoice reached the buyer."""
    return delivery.delivery_check(delivery_id)


@task()
def deliver_due_invoices() -> dict[str, int]:
    """Deliveries whose worker was lost, or whose retry the backend could not defer; then
    enqueue the next sweep."""
    try:
        return delivery.deliveries_due()
    finally:
        delivery.ensure_delivery_sweep()


@task()
def send_reminder(*, practice_id: int, reminder_id: int) -> int:
    """Render the reminder's PDF and put the mail, in the buyer's language, in the outbox; the
    reminder's id keys the mail, so a task run twice sends one."""
    practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        reminder = Reminder.objects.select_related("invoice").get(pk=reminder_id, practice=practice)
        invoice = reminder.invoice
        settings = BillingSettings.objects.filter(practice=practice).first()
        queued = queue_mail(
            to=reminder.sent_to,
            template="billing/email/reminder",
            context={"reminder": reminder, "invoice": invoice, "seller": invoice.seller},
            language=invoice.language or "sv",
            kind="invoice",
            practice=practice,
            attachment=(
                reminder_filename(reminder),
                reminder_pdf(reminder, settings),
                "application/pdf",
            ),
            reply_to=invoice.seller.get("email", ""),
            dedupe_key=f"reminder:{reminder.pk}",
        )
    return 1 if queued else 0


@task()
def run_reminders() -> dict[str, int]:
    """Remind the overdue invoices of every practice with reminders on, then enqueue the next
    run (tomorrow morning)."""
    try:
        return reminders.reminder_run()
    finally:
        reminders.ensure_reminder_chain()
