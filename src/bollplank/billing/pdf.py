"""The invoice as PDF: the same template as the web page's print view, through WeasyPrint."""

from __future__ import annotations

import base64
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from bollplank.billing.models import BillingSettings, Invoice
from bollplank.billing.money import totals


def invoice_context(invoice: Invoice, settings: BillingSettings | None) -> dict[str, Any]:
    lines = list(invoice.lines.all())
    logo = ""
    if settings is not None and settings.logo:
        encoded = base64.b64encode(bytes(settings.logo)).decode()
        logo = f"data:{settings.logo_content_type};base64,{encoded}"
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_rows": totals(lines).rows,
        "seller": invoice.seller,
        "buyer": invoice.buyer,
        "logo": logo,
        "has_exempt": any(line.vat_rate_bp == 0 for line in lines),
    }


def invoice_html(invoice: Invoice, settings: BillingSettings | None) -> str:
    """The document in the buyer's language."""
    with translation.override(invoice.language or "sv"):
        return render_to_string("billing/invoice_document.html", invoice_context(invoice, settings))


def invoice_pdf(invoice: Invoice, settings: BillingSettings | None) -> bytes:
    """The PDF of an issued invoice or credit note. Rendered from the data frozen at issue;
    fonts come from the system (DejaVu), nothing is fetched from the network."""
    from weasyprint import HTML  # imported late: it loads Pango, which the web pages never need

    html = invoice_html(invoice, settings)
    return HTML(string=html, base_url=None).write_pdf()


def pdf_filename(invoice: Invoice) -> str:
    prefix = "kreditfaktura" if invoice.is_credit_note else "faktura"
    return f"{prefix}-{invoice.display_number or invoice.pk}.pdf"
