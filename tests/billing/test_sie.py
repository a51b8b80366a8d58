"""The SIE 4I export read back voucher by voucher by a reader written from the specification
(tests/billing/sie_reader.py), not by our own writer's code."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.billing import services
from bollplank.billing.exports import sie4
from bollplank.billing.models import BillingSettings, Invoice
from bollplank.billing.selectors import invoices_for_export
from tests.billing.conftest import day, held_meeting, month_end
from tests.billing.sie_reader import Row, SieError, Voucher, crc32, read
from tests.conftest import World

# The story's year: every invoice below is dated in it (or in the next, where that is the point).
Y = day(1).year


def date(month: int, number: int, year: int = Y) -> dt.date:
    return dt.date(year, month, number)


def issue(w: World, months: int, on: dt.date) -> Invoice:
    """The invoice of the story's month ``months`` later (a meeting held on the 12th), issued
    on ``on``."""
    with scopes_disabled():
        if months != 0:
            held_meeting(w.engagement, day(12, months))
        [draft] = services.invoice_run(
            actor=w.admin,
            practice=w.practice,
            period_start=day(1, months),
            period_end=month_end(months),
        )
        return services.invoice_issue(actor=w.admin, invoice=draft, today=on)


def export(w: World, start: dt.date, end: dt.date) -> bytes:
    with scopes_disabled():
        settings = BillingSettings.objects.get(practice=w.practice)
        return sie4(invoices_for_export(w.practice, start, end), settings, start, end)


def numbers(data: bytes) -> list[tuple[str, str, str]]:
    return [(v.series, v.number, v.text) for v in read(data, "f.si").vouchers]


def test_sie_file_reads_back_voucher_by_voucher(billing):
    invoice = issue(billing, 0, date(3, 2))
    with scopes_disabled():
        note = services.invoice_credit(actor=billing.admin, invoice=invoice, today=date(3, 3))
        settings = BillingSettings.objects.get(practice=billing.practice)
        data = sie4([note, invoice], settings, date(3, 1), date(3, 31), generated=date(4, 1, Y))
    doc = read(data, "fakturor.si")
    assert (doc.file_type, doc.flag, doc.program, doc.format) == (
        "4I",
        "0",
        ["Bollplank", "1.0"],
        "PC8",
    )
    assert (doc.generated, doc.company, doc.org_number, doc.chart) == (
        date(4, 1),
        "Ekbacken Handledning AB",
        "556677-8899",
        "BAS2014",
    )
    assert doc.years == {0: (date(1, 1), date(12, 31))}
    assert doc.accounts["1510"] == "Kundfordringar"
    assert doc.opening_balances == []  # 4I: vouchers only
    assert doc.checksum_declared is not None
    assert doc.checksum_declared == doc.checksum_computed
    assert doc.vouchers == [
        Voucher(
            "F",
            "1",
            date(3, 2),
            "Faktura A1001 Solbacka skola",
            [
                Row("1510", [], Decimal("5625.00")),
                Row("3041", [], Decimal("-4500.00")),
                Row("2611", [], Decimal("-1125.00")),
            ],
        ),
        Voucher(
            "F",
            "2",
            date(3, 3),
            "Kreditfaktura A1002 Solbacka skola",
            [
                Row("1510", [], Decimal("-5625.00")),
                Row("3041", [], Decimal("4500.00")),
                Row("2611", [], Decimal("1125.00")),
            ],
        ),
    ]
    # The frame of the checksum: #FLAGGA first, outside it; the value last.
    lines = data.decode("cp437").split("\r\n")
    assert lines[:2] == ["#FLAGGA 0", "#KSUMMA"]
    assert lines[-2:] == [f"#KSUMMA {doc.checksum_declared}", ""]
    assert f'#VER F 1 {date(3, 2):%Y%m%d} "Faktura A1001 Solbacka skola"' in lines


def test_the_readers_crc_is_the_standard_crc32_and_the_checksum_catches_a_change(billing):
    # The check value of CRC-32 (ISO 3309 / ITU-T V.42), which SIE uses.
    assert crc32(b"123456789") ^ 0xFFFFFFFF == 0xCBF43926
    issue(billing, 0, date(3, 2))
    data = export(billing, date(3, 1), date(3, 31))
    # Still balanced, still CP437, one digit moved between two rows: only the checksum sees it.
    changed = data.replace(b"5625.00", b"5625.01").replace(b"-4500.00", b"-4500.01")
    assert changed != data
    doc = read(changed, "f.si")
    assert doc.checksum_declared != doc.checksum_computed
    # A file cut short loses its closing #KSUMMA.
    with pytest.raises(SieError, match="cut short"):
        read(data[: data.rindex(b"#KSUMMA")], "f.si")


def test_voucher_numbers_stay_the_same_and_later_invoices_take_the_next(billing):
    january = issue(billing, 0, date(1, 20))
    february = issue(billing, 1, date(2, 20))
    year = (date(1, 1), date(12, 31))
    first = numbers(export(billing, *year))
    assert first == [
        ("F", "1", "Faktura A1001 Solbacka skola"),
        ("F", "2", "Faktura A1002 Solbacka skola"),
    ]
    assert export(billing, *year) == export(billing, *year)  # the same year twice: the same file

    # Later: an invoice in March and a credit note of January's, then the year again.
    issue(billing, 2, date(3, 20))
    with scopes_disabled():
        services.invoice_credit(actor=billing.admin, invoice=january, today=date(3, 21))
    again = numbers(export(billing, *year))
    assert again[:2] == first  # nothing already exported moved
    assert again[2:] == [
        ("F", "3", "Faktura A1003 Solbacka skola"),
        ("F", "4", "Kreditfaktura A1004 Solbacka skola"),
    ]
    # A month on its own keeps the year's numbers, so monthly imports continue the series.
    assert numbers(export(billing, date(2, 1), date(2, 28))) == [first[1]]
    assert [n for _s, n, _t in numbers(export(billing, date(3, 1), date(3, 31)))] == ["3", "4"]
    assert february.issue_date == date(2, 20)

    # The next financial year starts again at 1.
    issue(billing, -1, date(1, 5, Y + 1))
    assert numbers(export(billing, date(1, 1, Y + 1), date(1, 31, Y + 1))) == [
        ("F", "1", "Faktura A1005 Solbacka skola")
    ]


def test_sie_export_in_the_browser_names_a_4i_file_and_reads_back(client, billing):
    invoice = issue(billing, 0, date(3, 2))
    client.force_login(billing.admin)
    url = reverse("billing_export", args=["ekbacken"])
    period = {"period_start": str(date(3, 1)), "period_end": str(date(3, 31))}
    response = client.get(url, {**period, "format": "sie"})
    disposition = response["Content-Disposition"]
    match = re.fullmatch(r'attachment; filename="(fakturor-\d{8}-\d{8}\.si)"', disposition)
    assert match, disposition
    assert match.group(1) == f"fakturor-{date(3, 1):%Y%m%d}-{date(3, 31):%Y%m%d}.si"
    assert response["Content-Type"] == "text/plain; charset=IBM437"
    doc = read(response.content, match.group(1))
    assert doc.file_type == "4I"
    assert [(v.series, v.number, v.date, v.text) for v in doc.vouchers] == [
        ("F", "1", invoice.issue_date, "Faktura A1001 Solbacka skola")
    ]
    assert doc.checksum_declared == doc.checksum_computed

    response = client.get(url, {**period, "format": "csv"})
    assert response["Content-Disposition"].endswith('.csv"')


def test_sie_export_across_two_years_is_refused_with_the_period_kept(client, billing):
    issue(billing, 0, date(12, 20))
    client.force_login(billing.admin)
    url = reverse("billing_export", args=["ekbacken"])
    period = {"period_start": str(date(12, 1)), "period_end": str(date(1, 31, Y + 1))}
    response = client.get(url, {**period, "format": "sie"})
    page = response.content.decode()
    assert "Content-Disposition" not in response
    assert "En SIE-fil rymmer ett räkenskapsår" in page
    assert f'value="{date(12, 1)}"' in page
    # The CSV has no voucher numbers: any period of at most a year.
    response = client.get(url, {**period, "format": "csv"})
    assert response["Content-Disposition"].endswith('.csv"')
