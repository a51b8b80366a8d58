"""Editing a draft invoice before it is issued: its lines, or throwing it away."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bollplank.billing.enums import VAT_RATE_BP, InvoiceKind, LineKind, VatCategory
from bollplank.billing.models import Invoice, InvoiceLine
from bollplank.billing.money import line_amount, totals
from bollplank.clients.models import Client
from bollplank.core.audit import audit
from bollplank.engagements.models import Engagement


def store_totals(invoice: Invoice) -> None:
    """Keep the invoice's net, VAT and total in step with its lines."""
    t = totals(invoice.lines.all())
    invoice.net_ore, invoice.vat_ore, invoice.total_ore = t.net_ore, t.vat_ore, t.total_ore
    invoice.save(update_fields=["net_ore", "vat_ore", "total_ore"])


def draft_references(client: Client, engagements: Iterable[Engagement]) -> tuple[str, str]:
    """The buyer's reference and order number a new draft carries: those of its engagements
    when they agree (each engagement's own, else the client's), else the client's."""
    found = {e.invoice_references for e in engagements}
    if len(found) == 1:
        return found.pop()
    return client.invoice_reference, client.order_number


def missing_references(invoice: Invoice) -> list[str]:
    """What the client requires on its invoices that the invoice lacks, in words for the
    admin: issuing is refused while this is not empty. Credit notes copy their invoice's."""
    if invoice.kind != InvoiceKind.INVOICE:
        return []
    client = invoice.client
    missing = []
    if client.requires_buyer_reference and not invoice.buyer_reference.strip():
        missing.append(
            _("%(client)s requires the buyer's reference on every invoice, and it is missing.")
            % {"client": client.name}
        )
    if client.requires_order_number and not invoice.order_number.strip():
        missing.append(
            _("%(client)s requires an order number on every invoice, and it is missing.")
            % {"client": client.name}
        )
    return missing


def draft_locked(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if locked is None or not locked.is_draft:
        raise ValidationError(_("Only a draft can be changed; an issued invoice is credited."))
    return locked


@transaction.atomic
def invoice_line_save(
    *,
    actor: Any,
    invoice: Invoice,
    line: InvoiceLine | None = None,
    description: str,
    delivered_on: dt.date | None,
    quantity: Decimal,
    unit: str,
    unit_price_ore: int,
    vat_category: str,
) -> InvoiceLine:
    """Add a line to a draft (``line`` None) or change one of its lines."""
    invoice = draft_locked(invoice)
    if line is None:
        last = invoice.lines.order_by("-position").first()
        line = InvoiceLine(
            practice=invoice.practice,
            invoice=invoice,
            kind=LineKind.MANUAL,
            position=(last.position + 1) if last else 1,
        )
    elif line.invoice_id != invoice.pk:
        raise ValidationError(_("That line belongs to another invoice."))
    line.description = description
    line.delivered_on = delivered_on
    line.quantity = quantity
    line.unit = unit
    line.unit_price_ore = unit_price_ore
    line.amount_ore = line_amount(quantity, unit_price_ore)
    line.vat_category = vat_category
    line.vat_rate_bp = VAT_RATE_BP[VatCategory(vat_category)]
    line.full_clean(exclude=["invoice", "practice", "engagement", "meeting", "credits_line"])
    line.save()
    store_totals(invoice)
    audit(actor, "billing.line.saved", invoice, {"line": line.pk})
    return line


@transaction.atomic
def invoice_line_remove(*, actor: Any, invoice: Invoice, line: InvoiceLine) -> None:
    """Take a line off a draft; its meeting can be invoiced again."""
    invoice = draft_locked(invoice)
    if line.invoice_id != invoice.pk:
        raise ValidationError(_("That line belongs to another invoice."))
    line_id = line.pk
    line.delete()
    store_totals(invoice)
    audit(actor, "billing.line.removed", invoice, {"line": line_id})


@transaction.atomic
def invoice_references_save(
    *, actor: Any, invoice: Invoice, buyer_reference: str, order_number: str
) -> Invoice:
    """Change the buyer's reference and the order number of a draft."""
    invoice = draft_locked(invoice)
    invoice.buyer_reference = buyer_reference.strip()
    invoice.order_number = order_number.strip()
    invoice.full_clean(exclude=["seller", "buyer", "engagement", "credited_invoice", "client"])
    invoice.save(update_fields=["buyer_reference", "order_number"])
    audit(
        actor,
        "billing.invoice.references",
        invoice,
        {"buyer_reference": invoice.buyer_reference, "order_number": invoice.order_number},
    )
    return invoice


@transaction.atomic
def invoice_discard(*, actor: Any, invoice: Invoice) -> None:
    """Throw a draft away; its meetings can be invoiced again. Issued invoices are credited."""
    invoice = draft_locked(invoice)
    audit(actor, "billing.invoice.discarded", invoice, {"client": invoice.client_id})
    invoice.delete()
