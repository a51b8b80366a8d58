"""The invoice as PDF: the same template as the web page's print view, through WeasyPrint."""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from bollplank.billing.models import BillingSettings, Invoice, InvoiceLogo, Reminder
from bollplank.billing.money import totals


def invoice_context(invoice: Invoice, settings: BillingSettings | None) -> dict[str, Any]:
    lines = list(invoice.lines.all())
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": totals(lines).rows,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "logo": _logo(invoice, settings),
        "has_exempt": any(line.vat_rate_bp == 0 for line in lines),
    }


def _logo(invoice: Invoice, settings: BillingSettings | None) -> str:
    """The logo as a data URI: the one kept at issue for an issued invoice, the practice's
    current one for a draft (and for invoices issued before logos were kept)."""
    if not invoice.is_draft and "logo" in invoice.seller:
        kept = InvoiceLogo.objects.filter(
            practice_id=invoice.practice_id, sha256=invoice.seller["logo"] or "-"
        ).first()
        data, content_type = (bytes(kept.data), kept.content_type) if kept else (b"", "")
    elif settings is not None and settings.logo:
        data, content_type = bytes(settings.logo), settings.logo_content_type
    else:
        data, content_type = b"", ""
    if not data:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def invoice_html(invoice: Invoice, settings: BillingSettings | None) -> str:
    """The document in the buyer's language."""
    with translation.override(invoice.language or "sv"):
        return render_to_string("billing/invoice_document.html", invoice_context(invoice, settings))


def _pdf(html: str) -> bytes:
    """Fonts come from the system (DejaVu), nothing is fetched from the network."""
    from weasyprint import HTML  # imported late: it loads Pango, which the web pages never need

    return HTML(string=html, base_url=None).write_pdf()


def invoice_pdf(invoice: Invoice, settings: BillingSettings | None) -> bytes:
    """The PDF of an issued invoice or credit note, rendered from the data frozen at issue."""
    return _pdf(invoice_html(invoice, settings))


def reminder_html(reminder: Reminder, settings: BillingSettings | None) -> str:
    """The reminder in the buyer's language, with the invoice's seller, buyer and logo."""
    invoice = reminder.invoice
    context = {
        "reminder": reminder,
        "invoice": invoice,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "logo": _logo(invoice, settings),
    }
    with translation.override(invoice.language or "sv"):
        return render_to_string("billing/reminder_document.html", context)


def reminder_pdf(reminder: Reminder, settings: BillingSettings | None) -> bytes:
    return _pdf(reminder_html(reminder, settings))


def reminder_filename(reminder: Reminder) -> str:
    return f"paminnelse-{reminder.invoice.display_number}-{reminder.number}.pdf"


def pdf_filename(invoice: Invoice) -> str:
    prefix = "kreditfaktura" if invoice.is_credit_note else "faktura"
    return f"{prefix}-{invoice.display_number or invoice.pk}.pdf"
