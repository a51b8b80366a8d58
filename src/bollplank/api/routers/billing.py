"""Invoices and credit notes (read only): what the person may open on the invoice pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Path, Router, Schema

from bollplank.api.base import MAX_ID, ErrorOut, PagingQuery, acting, page
from bollplank.billing.selectors import invoice_for_page, invoices_for_list

router = Router(tags=["invoices"])


class InvoiceOut(Schema):
    id: int
    kind: str
    status: str
    number: str
    client_id: int
    period_start: dt.date
    period_end: dt.date
    issue_date: dt.date | None
    due_date: dt.date | None
    paid_on: dt.date | None
    ocr: str
    buyer_reference: str
    order_number: str
    net_ore: int
    vat_ore: int
    total_ore: int
    credited_ore: int
    paid_ore: int


class InvoicePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[InvoiceOut]


def _out(invoice: Any) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.pk,
        kind=invoice.kind,
        status=invoice.status,
        number=invoice.display_number,
        client_id=invoice.client_id,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        paid_on=invoice.paid_on,
        ocr=invoice.ocr,
        buyer_reference=invoice.buyer_reference,
        order_number=invoice.order_number,
        net_ore=invoice.net_ore,
        vat_ore=invoice.vat_ore,
        total_ore=invoice.total_ore,
        credited_ore=invoice.credited_ore,
        paid_ore=invoice.paid_ore,
    )


@router.get("/", response={200: InvoicePage, 401: ErrorOut, 422: ErrorOut})
def list_invoices(request: HttpRequest, paging: PagingQuery) -> Any:
    """Issued invoices and credit notes the person may open (drafts only to admins), newest
    first. Amounts in öre."""
    a = acting(request)
    found = page(invoices_for_list(a.user, a.practice, a.roles), paging)
    found["items"] = [_out(i) for i in found["items"]]
    return found


@router.get(
    "/{invoice_id}", response={200: InvoiceOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def get_invoice(request: HttpRequest, invoice_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    a = acting(request)
    invoice = invoice_for_page(a.user, a.practice, a.roles, invoice_id)
    if invoice is None:
        raise Http404
    return _out(invoice)
