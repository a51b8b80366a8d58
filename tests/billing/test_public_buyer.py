"""A public buyer's invoice from start to end, the way money flows through the systems buyers and
accountants use: the buyer is on Peppol under its GLN and requires its reference and an order
number; the invoice cannot be issued without them, goes out through the access point (a stand-in
of the provider's API on 127.0.0.1 that checks the document), a BgMax file from Bankgirot marks
it paid, and the year's SIE file read back by an independent reader holds its voucher."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from bollplank.billing import services, tasks
from bollplank.billing.enums import DeliveryStatus, InvoiceStatus
from bollplank.billing.exports import sie4
from bollplank.billing.models import BillingSettings, Delivery, Invoice
from bollplank.billing.selectors import invoices_for_export
from bollplank.billing.services.delivery import CHECKS
from bollplank.clients.models import Client
from tests.billing.access_point import API_KEY, StandIn, run_stand_in
from tests.billing.bgmax_files import Pay, bgmax_file
from tests.billing.conftest import day, month_end
from tests.billing.sie_reader import Row, read
from tests.billing.ubl_rules import CAC, CBC, check_en16931, check_endpoints

GLN = "7350053850019"
BANKGIRO = "5050-1055"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    yield from run_stand_in()


def test_a_public_buyers_invoice_goes_out_by_peppol_is_paid_by_bankgiro_and_booked(
    billing, stand_in, traveller, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        services.access_point_save(
            actor=billing.admin,
            practice=billing.practice,
            base_url=stand_in.url,
            peppol_scheme="0007",
            peppol_id="5566778899",
            api_key=API_KEY,
        )
        Client.objects.filter(pk=billing.client.pk).update(
            peppol_scheme="0088",
            peppol_id=GLN,
            requires_buyer_reference=True,
            requires_order_number=True,
        )
        [draft] = services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1),
            period_end=month_end(),
        )

    # The order number is missing: issuing is refused, in Swedish, and nothing goes out.
    with pytest.raises(ValidationError) as refused, scopes_disabled():
        services.invoice_issue(actor=billing.admin, invoice=draft, today=day(2, 1))
    assert refused.value.messages == [
        "Solbacka skola kräver ordernummer på varje faktura, och det saknas."
    ]
    assert stand_in.state.received == []

    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        draft = services.invoice_references_save(
            actor=billing.admin, invoice=draft, buyer_reference="SOL-4410", order_number="PO-77"
        )
        invoice = services.invoice_issue(actor=billing.admin, invoice=draft, today=day(2, 1))

    # Through the access point, with the buyer's GLN and both references in the UBL.
    [received] = stand_in.state.received
    assert received.receiver == f"0088:{GLN}"
    assert check_en16931(received.document) == [] and check_endpoints(received.document) == []
    assert received.root.findtext(f"{CBC}BuyerReference") == "SOL-4410"
    assert received.root.findtext(f"{CAC}OrderReference/{CBC}ID") == "PO-77"
    traveller.shift(CHECKS[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_due_invoices.call() == {"delivered": 1}
    with scopes_disabled():
        assert Delivery.objects.get(invoice=invoice).status == DeliveryStatus.DELIVERED

    # Bankgirot's file for the day the buyer paid: the invoice is paid, found by its OCR.
    paid_on = day(20, 1)
    data = bgmax_file(BANKGIRO, [(paid_on, [Pay(invoice.ocr, invoice.total_ore, "501")])])
    with scopes_disabled():
        result = services.bgmax_import(
            actor=billing.admin, practice=billing.practice, data=data, filename="bgmax.txt"
        )
        invoice = Invoice.objects.get(pk=invoice.pk)
    assert not result.repeated_file
    assert (invoice.status, invoice.paid_ore, invoice.paid_on) == (
        InvoiceStatus.PAID,
        invoice.total_ore,
        paid_on,
    )

    # The year's SIE file, read back voucher by voucher.
    year = invoice.issue_date.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with scopes_disabled():
        settings = BillingSettings.objects.get(practice=billing.practice)
        sie = sie4(invoices_for_export(billing.practice, start, end), settings, start, end)
    document = read(sie, "fakturor.si")
    assert document.checksum_declared == document.checksum_computed
    [voucher] = document.vouchers
    assert (voucher.series, voucher.number, voucher.date) == ("F", "1", invoice.issue_date)
    assert voucher.text == f"Faktura {invoice.display_number} Solbacka skola"
    total = Decimal(invoice.total_ore) / 100
    assert voucher.rows[0] == Row("1510", [], total)
    assert sum(row.amount for row in voucher.rows) == 0
