"""Bankgiro payments through their pages: the upload walk from the invoices page, a refused file
with its line, assigning a payment by hand, the invoice page with its payments and the
client's balance, and the query count of the list of payments to assign."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled

from bollplank.billing.enums import InvoiceStatus
from bollplank.billing.forms import BGMAX_MAX_BYTES
from bollplank.billing.models import Invoice, Payment, PaymentImport
from bollplank.core.models import AuditEvent
from bollplank.core.templatetags.bollplank import money
from tests.billing.bgmax_files import Pay, bgmax_file, joined, records
from tests.billing.conftest import day, settings_for
from tests.billing.test_payments import BG, issued
from tests.billing.test_views import _count
from tests.test_query_counts import BASE

P = "ekbacken"


def url(name: str, *args: object) -> str:
    return reverse(name, args=[P, *args])


def sv_money(ore: int) -> str:
    with translation.override("sv"):
        return money(ore)


def upload(client, data: bytes, name: str = "BGMAX_20260305.txt"):
    return client.post(
        url("bgmax_import"), {"file": SimpleUploadedFile(name, data, "text/plain")}, follow=True
    )


def test_upload_walk_from_the_invoices_page(client, billing):
    invoice = issued(billing)
    client.force_login(billing.admin)
    assert url("bgmax_import") in client.get(url("invoice_list")).content.decode()

    half = invoice.total_ore // 2
    rest = invoice.total_ore - half + 5000  # 50 kronor too much in all
    data = bgmax_file(
        BG,
        [
            (
                day(5, 1),
                [
                    Pay(invoice.ocr, half, "11"),
                    Pay("Faktura 1001", rest, "12", ocr=False, name="Solbacka skola"),
                ],
            )
        ],
    )
    page = upload(client, data).content.decode()
    assert "2 betalningar lästa: 1 matchade mot fakturor, 1 att koppla för hand" in page
    assert "Solbacka skola" in page and "Faktura 1001" in page and sv_money(rest) in page
    assert "BGMAX_20260305.txt" in page
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PART_PAID
        waiting = Payment.objects.get(invoice__isnull=True)
    assert url("payment_assign", waiting.pk) in page

    # Assign by the printed number: the invoice is paid, the list is empty.
    page = client.post(
        url("payment_assign", waiting.pk), {"invoice": invoice.display_number}, follow=True
    ).content.decode()
    assert f"Betalningen är kopplad till faktura {invoice.display_number}." in page
    assert "Inga betalningar väntar på att kopplas." in page
    with scopes_disabled():
        after = Invoice.objects.get(pk=invoice.pk)
    assert (after.paid_ore, after.status) == (half + rest, InvoiceStatus.OVERPAID)

    # The invoice page lists both payments and the client's balance (paid too much).
    detail = client.get(url("invoice_detail", invoice.pk)).content.decode()
    assert "Överbetald" in detail and "kopplad för hand" in detail
    assert "Uppdragsgivarens saldo" in detail and "(betalt för mycket)" in detail
    assert f"<strong>{sv_money(-5000)}</strong> (betalt för mycket)" in detail
    overview = client.get(url("billing_overview")).content.decode()
    assert "Saldo" in overview and f'<td class="num">{sv_money(-5000)}</td>' in overview

    # The same file again: said so, nothing changed.
    page = upload(client, data, "igen.txt").content.decode()
    assert "Filen är redan inläst" in page
    with scopes_disabled():
        assert Payment.objects.count() == 2 and PaymentImport.objects.count() == 1
        assert Invoice.objects.get(pk=invoice.pk).paid_ore == half + rest


def test_a_bad_file_is_refused_on_the_page_with_its_line(client, billing):
    invoice = issued(billing)
    lines = records(BG, [(day(5, 1), [Pay(invoice.ocr, invoice.total_ore, "21")])])
    lines[2] = lines[2][:40]  # the payment record cut short
    client.force_login(billing.admin)
    response = client.post(
        url("bgmax_import"), {"file": SimpleUploadedFile("kort.txt", joined(lines))}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Filen lästes inte in. Rad 3: Posten har 40 tecken; en BgMax-post har 80." in page
    with scopes_disabled():
        assert not Payment.objects.exists() and not PaymentImport.objects.exists()
        assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.OPEN
    refused = AuditEvent.objects.filter(action="billing.bgmax.refused").get()
    assert refused.data["filename"] == "kort.txt" and "Rad 3" in refused.data["error"]


def test_a_file_over_the_forms_limit_gets_the_forms_message_not_a_bare_413(client, billing):
    # More than the 2 MB every page takes, less than the file's limit and 1 MB: the page
    # reaches the form, which says what is wrong.
    client.force_login(billing.admin)
    big = b"01BGMAX" + b" " * (BGMAX_MAX_BYTES + 1 - 7)
    response = client.post(url("bgmax_import"), {"file": SimpleUploadedFile("stor.txt", big)})
    assert "Filen är större än 10 MB; det är inte en BgMax-fil." in response.content.decode()
    with scopes_disabled():
        assert not PaymentImport.objects.exists()


def test_assigning_to_an_unknown_number_says_so(client, billing):
    issued(billing)
    data = bgmax_file(BG, [(day(5, 1), [Pay("okänd", 500, "31", ocr=False)])])
    client.force_login(billing.admin)
    upload(client, data)
    with scopes_disabled():
        payment = Payment.objects.get()
    page = client.post(
        url("payment_assign", payment.pk), {"invoice": "B77"}, follow=True
    ).content.decode()
    assert "Ingen faktura har nummer B77." in page
    # A superscript digit is not a number: the same answer, not a server error.
    page = client.post(
        url("payment_assign", payment.pk), {"invoice": "A²"}, follow=True
    ).content.decode()
    assert "Ingen faktura har nummer A²." in page
    with scopes_disabled():
        assert Payment.objects.get().invoice is None


@pytest.mark.parametrize("rows", [1, 3])
def test_payments_page_query_count(client, world, rows):
    settings_for(world.practice)
    payments = [Pay(f"ref {i}", 100 + i, str(40 + i), ocr=False) for i in range(rows)]
    client.force_login(world.admin)
    upload(client, bgmax_file(BG, [(day(5, 1), payments)]))
    # BASE + the payments to assign with their files + the latest imports with who imported
    assert _count(client, url("bgmax_import")) == BASE + 2


def test_a_bankgiro_another_practice_holds_cannot_be_saved(client, world):
    from django.db import IntegrityError, transaction

    from bollplank.billing.models import BillingSettings
    from tests.billing.test_views import SETTINGS_FORM

    theirs = settings_for(world.other_practice, bankgiro="5050-1055")
    client.force_login(world.admin)
    # The same number written another way is the same bankgiro.
    response = client.post(url("billing_settings"), {**SETTINGS_FORM, "bankgiro": "50501055"})
    page = response.content.decode()
    assert "En annan verksamhet har redan det här bankgironumret" in page
    assert "Ekbackevägen 7" in page  # what was typed is kept
    with scopes_disabled():
        assert not BillingSettings.objects.filter(practice=world.practice).exists()
        # Another number saves, and so does the other practice's own.
        client.post(url("billing_settings"), {**SETTINGS_FORM, "bankgiro": "1234-5674"})
        assert BillingSettings.objects.get(practice=world.practice).bankgiro_digits == "12345674"
        theirs.city = "Annanstad"
        theirs.save()
        # The database refuses the same bankgiro too, should anything write past the form.
        mine = BillingSettings.objects.get(practice=world.practice)
        mine.bankgiro = "5050-1055"
        with pytest.raises(IntegrityError), transaction.atomic():
            mine.save()
    assert AuditEvent.objects.filter(action="billing.settings.updated").count() == 1


def test_a_part_paid_invoice_is_marked_paid_from_its_page(client, billing):
    invoice = issued(billing)
    client.force_login(billing.admin)
    upload(client, bgmax_file(BG, [(day(5, 1), [Pay(invoice.ocr, 10000, "71")])]))
    page_url = url("invoice_detail", invoice.pk)
    assert "Markera resten som betald" in client.get(page_url).content.decode()
    page = client.post(
        url("invoice_pay", invoice.pk), {"paid_on": str(day(6, 1))}, follow=True
    ).content.decode()
    assert "Reglerat manuellt" in page and sv_money(invoice.total_ore - 10000) in page
    assert "Markera resten som betald" not in page
    with scopes_disabled():
        paid = Invoice.objects.get(pk=invoice.pk)
    assert (paid.status, paid.settled_ore) == (InvoiceStatus.PAID, invoice.total_ore - 10000)
