"""The invoice as PDF, as Peppol UBL, and in the accounting exports (SIE 4, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django_scopes import scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from bollplank.billing import services
from bollplank.billing.exports import (
    cp437_safe,
    invoices_csv,
    parse_sie,
    sie4,
    sie_balance,
)
from bollplank.billing.models import BillingSettings, Invoice
from bollplank.billing.money import line_amount, totals, vat_of
from bollplank.billing.pdf import invoice_html, invoice_pdf
from bollplank.billing.ubl import invoice_ubl
from bollplank.core.spreadsheet import csv_safe
from bollplank.meetings.enums import MeetingStatus
from tests.billing import sie_reader
from tests.billing.conftest import day, held_meeting, month_end
from tests.billing.ubl_rules import CAC, CBC, check_en16931, check_swedish_parties
from tests.conftest import World
from tests.pdftext import pdf_text

PEPPOL = Path(__file__).resolve().parents[3] / "shared" / "peppol"


def issued(w: World) -> Invoice:
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=w.admin,
            practice=w.practice,
            period_start=day(1),
            period_end=month_end(),
        )
        return services.invoice_issue(actor=w.admin, invoice=draft, today=day(2, 1))


def settings_of(w: World) -> BillingSettings:
    with scopes_disabled():
        return BillingSettings.objects.get(practice=w.practice)


# --- PDF --------------------------------------------------------------------------------------


def test_invoice_document_has_the_swedish_legal_content(billing):
    held_meeting(billing.other_engagement, day(17))
    invoice = issued(billing)
    with scopes_disabled():
        html = invoice_html(invoice, settings_of(billing))
    for text in [
        "Faktura",
        "Ekbacken Handledning AB",
        "556677-8899",  # seller's organisation number
        "SE556677889901",  # VAT number
        "Godkänd för F-skatt",
        "Solbacka skola",
        "212000-0142",  # buyer's organisation number
        "Skolvägen 4",
        "A1001",
        str(day(2, 1)),  # invoice date
        str(day(2, 1) + dt.timedelta(days=30)),  # due date
        ocr := invoice.ocr,
        "SOL-4410",  # the buyer's reference
        str(day(10)),  # when
        "Lärarlaget åk 4–6",  # which group
        "Siv Handledare",  # which supervisor
        "Elevhälsoteamet",
        "9\xa0000,00\xa0kr",  # tax base at 25 %
        "2\xa0250,00\xa0kr",  # VAT
        "11\xa0250,00\xa0kr",  # to pay
        "5050-1055",
        "Dröjsmålsränta",
    ]:
        assert text in html, text
    assert ocr == "10010189"


def test_invoice_document_follows_the_clients_language(billing):
    with scopes_disabled():
        billing.client.language = "en"
        billing.client.save()
    invoice = issued(billing)
    with scopes_disabled():
        html = invoice_html(invoice, settings_of(billing))
    assert "Invoice number" in html and "Approved for F-tax" in html
    assert "Fakturanummer" not in html


def test_pdf_is_rendered(billing):
    invoice = issued(billing)
    with scopes_disabled():
        pdf = invoice_pdf(invoice, settings_of(billing))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000


# --- e-invoice --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "base-example.xml",
        "base-creditnote-correction.xml",
        "Vat-category-S.xml",
        "vat-category-E.xml",
    ],
)
def test_rule_checker_accepts_the_official_examples(name):
    path = PEPPOL / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    assert check_en16931(path.read_bytes()) == []


def test_rule_checker_catches_a_wrong_payable_amount():
    path = PEPPOL / "base-example.xml"
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    broken = path.read_bytes().replace(
        b'<cbc:PayableAmount currencyID="EUR">1656.25',
        b'<cbc:PayableAmount currencyID="EUR">1656.26',
    )
    assert check_en16931(broken) == ["BR-CO-16"]


def test_ubl_invoice_passes_the_rules_with_buyer_reference_and_scheme_0007(billing):
    held_meeting(billing.other_engagement, day(17))
    with scopes_disabled():
        services.engagement_price_save(
            actor=billing.admin,
            engagement=billing.other_engagement,
            amount_ore=333333,
            vat_category="E",
        )
    invoice = issued(billing)
    with scopes_disabled():
        xml = invoice_ubl(invoice)
    assert check_en16931(xml) == []
    assert check_swedish_parties(xml) == []
    root = ET.fromstring(xml)  # noqa: S314
    assert root.tag == "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"
    assert root.findtext(f"{CBC}BuyerReference") == "SOL-4410"
    assert root.findtext(f"{CBC}ID") == "A1001"
    assert root.findtext(f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount") == "8958.33"
    assert root.findtext(f"{CAC}PaymentMeans/{CBC}PaymentID") == invoice.ocr
    assert [
        (s.findtext(f"{CAC}TaxCategory/{CBC}ID"), s.findtext(f"{CBC}TaxAmount"))
        for s in root.iter(f"{CAC}TaxSubtotal")
    ] == [("S", "1125.00"), ("E", "0.00")]
    assert root.findtext(f".//{CAC}TaxCategory/{CBC}TaxExemptionReason") == (
        "Undantag från skatteplikt enligt 10 kap. mervärdesskattelagen."
    )


def test_ubl_credit_note_is_positive_and_refers_to_the_invoice(billing):
    invoice = issued(billing)
    with scopes_disabled():
        note = services.invoice_credit(actor=billing.admin, invoice=invoice, today=day(2, 1))
        xml = invoice_ubl(note)
    assert check_en16931(xml) == []
    root = ET.fromstring(xml)  # noqa: S314
    assert root.findtext(f"{CBC}CreditNoteTypeCode") == "381"
    assert root.findtext(f"{CAC}BillingReference/{CAC}InvoiceDocumentReference/{CBC}ID") == "A1001"
    assert root.findtext(f"{CAC}LegalMonetaryTotal/{CBC}PayableAmount") == "5625.00"
    assert root.findtext(f"{CAC}CreditNoteLine/{CBC}CreditedQuantity") == "1"


def test_ubl_refuses_without_buyer_reference_or_order_number(billing):
    with scopes_disabled():
        billing.client.invoice_reference = ""
        billing.client.save()
    invoice = issued(billing)
    with (
        scopes_disabled(),
        pytest.raises(ValidationError, match="Köparens referens och ordernummer saknas"),
    ):
        invoice_ubl(invoice)


def test_ubl_discount_line_keeps_the_price_positive(billing):
    with scopes_disabled():
        [draft] = services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1),
            period_end=month_end(),
        )
        services.invoice_line_save(
            actor=billing.admin,
            invoice=draft,
            description="Rabatt",
            delivered_on=None,
            quantity=Decimal(1),
            unit="C62",
            unit_price_ore=-50050,
            vat_category="S",
        )
        xml = invoice_ubl(
            services.invoice_issue(actor=billing.admin, invoice=draft, today=day(2, 1))
        )
    assert check_en16931(xml) == []


# --- SIE and CSV ------------------------------------------------------------------------------


def test_sie_has_one_balanced_voucher_per_invoice_in_cp437(billing):
    with scopes_disabled():
        billing.client.name = "Förskolan Ängen – Łódź ⌘ avd. “Ö”"
        billing.client.save()
    invoice = issued(billing)
    with scopes_disabled():
        note = services.invoice_credit(actor=billing.admin, invoice=invoice, today=day(2, 1))
        data = sie4(
            [invoice, note],
            settings_of(billing),
            day(1, 1),
            month_end(1),
            generated=day(2, 1),
        )
    data.decode("cp437")  # the whole file is CP437
    records = parse_sie(data)
    heads = [r for r in records if r[0] in {"#FLAGGA", "#FORMAT", "#SIETYP", "#FNAMN", "#ORGNR"}]
    assert heads == [
        ["#FLAGGA", "0"],
        ["#FORMAT", "PC8"],
        ["#SIETYP", "4"],
        ["#FNAMN", "Ekbacken Handledning AB"],
        ["#ORGNR", "556677-8899"],
    ]
    year = day(1, 1).year
    assert ["#RAR", "0", f"{year}0101", f"{year}1231"] in records
    assert ["#KPTYP", "BAS2014"] in records
    assert [r[1] for r in records if r[0] == "#KONTO"] == ["1510", "2611", "3041", "3044"]
    vouchers = [r for r in records if r[0] == "#VER"]
    assert vouchers == [
        [
            "#VER",
            "F",
            "1",
            f"{day(2, 1):%Y%m%d}",
            'Faktura A1001 Förskolan Ängen - Lódz ? avd. "Ö"',
        ],
        [
            "#VER",
            "F",
            "2",
            f"{day(2, 1):%Y%m%d}",
            'Kreditfaktura A1002 Förskolan Ängen - Lódz ? avd. "Ö"',
        ],
    ]
    trans = [r[1:] for r in records if r[0] == "#TRANS"]
    assert trans == [
        ["1510", "{}", "5625.00"],
        ["3041", "{}", "-4500.00"],
        ["2611", "{}", "-1125.00"],
        ["1510", "{}", "-5625.00"],
        ["3041", "{}", "4500.00"],
        ["2611", "{}", "1125.00"],
    ]
    assert sie_balance(records) == [Decimal(0), Decimal(0)]
    assert b"\r\n#VER" in data and re.search(rb"}\r\n#KSUMMA \d+\r\n$", data)
    # The reader from the specification computes the same checksum over the transliterated text.
    doc = sie_reader.read(data, "f.si")
    assert doc.checksum_declared == doc.checksum_computed


def test_sie_accounts_are_configurable(billing):
    with scopes_disabled():
        BillingSettings.objects.filter(practice=billing.practice).update(
            account_receivable="1511", account_sales="3011"
        )
    invoice = issued(billing)
    with scopes_disabled():
        records = parse_sie(sie4([invoice], settings_of(billing), day(2, 1), day(2, 1)))
    assert [r[1] for r in records if r[0] == "#TRANS"] == ["1511", "3011", "2611"]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("Åsa Öberg, Ärlinghem", "Åsa Öberg, Ärlinghem"),
        ("Café Æble", "Café Æble"),  # é and Æ are in CP437
        ("Łukasz Żółć", "Lukasz Zólc"),  # ł→l, Ż→Z, ć→c; ó is in CP437
        ("Søren Ødegård", "Soren Odegård"),
        ("50 € – ca…", "50 EUR - ca..."),
        ("行政", "??"),
        ("rad1\nrad2", "rad1 rad2"),
    ],
)
def test_cp437_transliteration(text, safe):
    assert cp437_safe(text) == safe
    cp437_safe(text).encode("cp437")


@given(st.text(max_size=40))
def test_cp437_safe_never_fails_and_keeps_length_sensible(text):
    out = cp437_safe(text)
    out.encode("cp437")
    assert len(out) >= len(text.replace("\r", "").replace("\n", "").replace("\t", "")) // 4


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+46", "'+46"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Solbacka", "Solbacka"),
    ],
)
def test_csv_cells_cannot_start_a_formula(value, safe):
    assert csv_safe(value) == safe


def test_csv_export_neutralises_text_and_keeps_amounts(billing):
    with scopes_disabled():
        billing.client.name = "=cmd|' /C calc'!A0"
        billing.client.invoice_reference = "@ref"
        billing.client.save()
    invoice = issued(billing)
    data = invoices_csv([invoice])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == [
        "A1001",
        "faktura",
        str(day(2, 1)),
        str(day(2, 1) + dt.timedelta(days=30)),
        "'=cmd|' /C calc'!A0",
        "212000-0142",
        "'@ref",
        "10010189",
        "4500,00",
        "1125,00",
        "5625,00",
        "obetald",
        "",
    ]


def test_csv_export_follows_the_language(billing):
    invoice = issued(billing)
    data = invoices_csv([invoice]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[0] == [
        "Nummer",
        "Typ",
        "Fakturadatum",
        "Förfallodag",
        "Kund",
        "Organisationsnummer",
        "Er referens",
        "OCR",
        "Netto",
        "Moms",
        "Totalt",
        "Status",
        "Betald",
    ]
    assert rows[1][1] == "faktura" and rows[1][8:12] == ["4500,00", "1125,00", "5625,00", "obetald"]
    with translation.override("en"):
        data = invoices_csv([invoice]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=","))
    assert rows[0][:4] == ["Number", "Type", "Invoice date", "Due date"]
    assert rows[0][8:] == ["Net", "VAT", "Total", "Status", "Paid"]
    assert rows[1][1:3] == ["invoice", str(day(2, 1))]
    assert rows[1][8:12] == ["4500.00", "1125.00", "5625.00", "open"]


# --- öre-exact rounding -----------------------------------------------------------------------

line_st = st.builds(
    lambda q, p, c: SimpleNamespace(
        quantity=Decimal(q) / 100,
        unit_price_ore=p,
        amount_ore=line_amount(Decimal(q) / 100, p),
        vat_category=c,
        vat_rate_bp=2500 if c == "S" else 0,
    ),
    st.integers(min_value=-10_000, max_value=100_000),
    st.integers(min_value=-(10**7), max_value=10**8),
    st.sampled_from(["S", "E"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(line_st, min_size=1, max_size=30))
def test_totals_are_ore_exact_and_a_credit_note_negates_them(lines):
    t = totals(lines)
    assert t.net_ore == sum(x.amount_ore for x in lines)
    assert t.total_ore == t.net_ore + t.vat_ore
    assert t.vat_ore == sum(vat_of(r.base_ore, r.rate_bp) for r in t.rows)
    for row in t.rows:
        exact = Decimal(row.base_ore) * row.rate_bp / 10000
        assert abs(Decimal(row.vat_ore) - exact) <= Decimal("0.5")
    negated = [
        SimpleNamespace(
            amount_ore=-x.amount_ore, vat_category=x.vat_category, vat_rate_bp=x.vat_rate_bp
        )
        for x in lines
    ]
    n = totals(negated)
    assert (n.net_ore, n.vat_ore, n.total_ore) == (-t.net_ore, -t.vat_ore, -t.total_ore)


def test_late_cancellation_in_part_rounds_to_the_ore(billing):
    with scopes_disabled():
        services.engagement_price_save(
            actor=billing.admin,
            engagement=billing.engagement,
            amount_ore=333333,
            late_cancellation="part",
            late_cancellation_percent=33,
        )
    held_meeting(
        billing.engagement,
        day(17),
        status=MeetingStatus.CANCELLED,
        late_cancellation=True,
    )
    invoice = issued(billing)
    with scopes_disabled():
        amounts = list(invoice.lines.values_list("amount_ore", flat=True))
        xml = invoice_ubl(invoice)
    assert amounts == [333333, 110000]  # 0.33 × 3 333,33 kr = 1 099,999… → 1 100,00 kr
    assert (invoice.net_ore, invoice.vat_ore, invoice.total_ore) == (443333, 110833, 554166)
    assert check_en16931(xml) == []


def test_issued_invoice_keeps_the_logo_it_was_issued_with(billing):
    """Regression: the PDF took the practice's current logo, so changing the logo changed
    every invoice already issued."""
    import base64
    import zlib

    from bollplank.billing.pdf import invoice_context

    def png(rgb: bytes) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

        header = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0]))
        pixel = chunk(b"IDAT", zlib.compress(b"\x00" + rgb))
        return b"\x89PNG\r\n\x1a\n" + header + pixel + chunk(b"IEND", b"")

    red, blue = png(b"\xff\x00\x00"), png(b"\x00\x00\xff")
    with scopes_disabled():
        services.billing_settings_save(
            actor=billing.admin, practice=billing.practice, logo=(red, "image/png")
        )
        [draft] = services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1),
            period_end=month_end(),
        )
        invoice = services.invoice_issue(actor=billing.admin, invoice=draft)
        services.billing_settings_save(
            actor=billing.admin, practice=billing.practice, logo=(blue, "image/png")
        )
        current = BillingSettings.objects.get(practice=billing.practice)
        issued_logo = invoice_context(invoice, current)["logo"]
        held_meeting(billing.engagement, day(14, 1))
        [later] = services.invoice_run(
            actor=billing.admin,
            practice=billing.practice,
            period_start=day(1, 1),
            period_end=month_end(1),
        )
        draft_logo = invoice_context(later, current)["logo"]
    assert issued_logo == "data:image/png;base64," + base64.b64encode(red).decode()
    assert draft_logo == "data:image/png;base64," + base64.b64encode(blue).decode()


def test_vat_heads_its_column_and_total_with_a_capital_on_the_page_and_in_the_pdf(billing, client):
    invoice = issued(billing)
    with scopes_disabled():
        html = invoice_html(invoice, settings_of(billing))
        text = pdf_text(invoice_pdf(invoice, settings_of(billing)))
    # The lines' column (printed in capitals by the style), the per-rate table's column, the
    # total's label; inside running text it stays lower case ("Summa exkl. moms").
    assert re.findall(r"<th[^>]*>([Mm]oms)</th>", html) == ["Moms", "Moms", "Moms"]
    assert re.findall(r"\b[Mm]oms\b", text) == ["Moms", "moms", "Moms"], text
    client.force_login(billing.admin)
    page = client.get(reverse("invoice_detail", args=["ekbacken", invoice.pk])).content.decode()
    headers = re.findall(r"<th [^>]*>([Mm]oms)</th>", page)
    assert headers == ["Moms", "Moms", "Moms"]
