"""Background work for billing: e-mail an invoice with its PDF attached."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_scopes import scope
from django_tasks import task

from bollplank.billing.models import BillingSettings, Invoice
from bollplank.billing.pdf import invoice_pdf, pdf_filename
from bollplank.core.models import Practice


@task()
def send_invoice(*, practice_id: int, invoice_id: int, to: str) -> int:
    """Render the invoice's PDF in the buyer's language and send it to ``to``."""
    practice = Practice.objects.get(pk=practice_id)
    with scope(practice=practice):
        invoice = Invoice.objects.select_related("client").get(pk=invoice_id, practice=practice)
        settings = BillingSettings.objects.filter(practice=practice).first()
        pdf = invoice_pdf(invoice, settings)
        context = {"invoice": invoice, "seller": invoice.seller}
        with translation.override(invoice.language or "sv"):
            subject = " ".join(
                render_to_string("billing/email/invoice_subject.txt", context).split()
            )
            text = render_to_string("billing/email/invoice.txt", context)
    reply_to = [invoice.seller["email"]] if invoice.seller.get("email") else None
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], reply_to=reply_to)
    message.attach(pdf_filename(invoice), pdf, "application/pdf")
    return message.send()
