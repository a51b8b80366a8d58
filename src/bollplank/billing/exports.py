"""Accounting exports for a period: SIE 4I (the Swedish exchange format, vouchers for an
accounting program to read in) and CSV.

SIE files are CP437 ("PC8"). A character CP437 lacks is transliterated (é stays, ł → l,
– → -, € → EUR) or, when there is no sensible letter for it, replaced by "?": the file is
never written in another encoding and never cut short.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zlib
from collections.abc import Iterable
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.translation import pgettext

from bollplank.billing.enums import InvoiceKind, InvoiceStatus, VatCategory
from bollplank.billing.models import BillingSettings, Invoice
from bollplank.billing.money import kronor, totals
from bollplank.billing.selectors import fiscal_year, voucher_numbers
from bollplank.core import clock
from bollplank.core.spreadsheet import csv_safe

PUNCTUATION = {
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2026": "...",
    "\u20ac": "EUR",
    "\u00a0": " ",
    "\u2022": "*",
    "\u00d8": "O",
    "\u00f8": "o",
    "\u0141": "L",
    "\u0142": "l",
    "\u00df": "ss",
    "\u00de": "Th",
    "\u00fe": "th",
    "\u0110": "D",
    "\u0111": "d",
}


def cp437_safe(text: str) -> str:
    """``text`` with every character CP437 can hold kept and the others transliterated."""
    out = []
    for ch in text:
        if ch in "\r\n\t":
            out.append(" ")
            continue
        try:
            ch.encode("cp437")
        except UnicodeEncodeError:
            pass
        else:
            out.append(ch)
            continue
        if ch in PUNCTUATION:
            out.append(PUNCTUATION[ch])
            continue
        base = "".join(
            c
            for c in unicodedata.normalize("NFKD", ch)
            if not unicodedata.combining(c) and c.isascii() and c.isprintable()
        )
        out.append(base or "?")
    return "".join(out)


def _quote(text: str) -> str:
    return '"' + cp437_safe(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


ACCOUNT_NAMES = {
    "receivable": "Kundfordringar",
    "vat": "Utgående moms på försäljning inom Sverige, 25 %",
    "sales": "Försäljning tjänster inom Sverige, 25 % moms",
    "exempt": "Försäljning tjänster inom Sverige, momsfri",
}

# Invoices and credit notes are booked in one voucher series of their own ("F" as in faktura),
# numbered per financial year (selectors.voucher_numbers).
VOUCHER_SERIES = "F"
# The file holds vouchers only, for the accounting program to read in: SIE type 4I, which the
# format tells from type 4E (complete books with opening balances) by the file's extension
# alone; #SIETYP says 4 in both. Bollplank does not keep the books, so it never claims 4E.
SIE_EXTENSION = "si"
CHART_OF_ACCOUNTS = "BAS2014"


class _Text(str):
    """A field written in quotes (names, texts): quoted, escaped and transliterated to CP437."""


# The empty object list of a #TRANS row: Bollplank books no cost centres or projects.
NO_OBJECTS = "{}"

Field = str | int
Record = tuple[Field, ...]


def _field(value: Field) -> str:
    if isinstance(value, _Text):
        return _quote(value)
    return str(value)


def _checksummed(value: Field) -> bytes:
    """What of a field the checksum covers: its content as the file holds it in CP437, without
    the quotes around it, the backslashes of its escapes, or the braces of an object list."""
    if value == NO_OBJECTS and not isinstance(value, _Text):
        return b""
    text = cp437_safe(value) if isinstance(value, _Text) else str(value)
    return text.encode("cp437")


def _sie_file(records: list[Record], vouchers: list[tuple[Record, list[Record]]]) -> bytes:
    """The records, then each voucher's #VER with its #TRANS rows in braces, framed by #KSUMMA.

    #KSUMMA (SIE 4B, "Kontrollsummering"): a first #KSUMMA without value right after #FLAGGA
    opens the checksummed part, a last #KSUMMA carrying the value ends the file. The value is
    CRC-32 as the specification's C code computes it (polynomial 0xEDB88320 reflected, register
    started at 0xFFFFFFFF, the result inverted: the same as zlib's crc32), written as an
    unsigned decimal integer, over every record between the two: its label and each field's
    content, in CP437 bytes, one after the other. Not covered: the spaces between fields, line
    ends, the quotes around a field and the braces (of the voucher block and of object lists).
    #FLAGGA, outside the frame, may be changed by the program that reads the file in."""
    lines = ["#FLAGGA 0", "#KSUMMA"]
    crc = 0

    def add(record: Record) -> None:
        nonlocal crc
        lines.append(" ".join(_field(f) for f in record))
        for value in record:
            crc = zlib.crc32(_checksummed(value), crc)

    for record in records:
        add(record)
    for head, rows in vouchers:
        add(head)
        lines.append("{")
        for row in rows:
            add(row)
        lines.append("}")
    lines.append(f"#KSUMMA {crc}")
    return ("\r\n".join(lines) + "\r\n").encode("cp437")


def sie4(
    invoices: Iterable[Invoice],
    settings: BillingSettings,
    period_start: dt.date,
    period_end: dt.date,
    *,
    generated: dt.date | None = None,
) -> bytes:
    """A SIE 4I file: one voucher per invoice or credit note, in series F numbered per
    financial year, receivables against sales per VAT rate and output VAT. Credit notes carry
    negative amounts, so their vouchers reverse the invoice's. The period lies in one
    financial year (the numbers start again in the next)."""
    year_start, year_end = fiscal_year(period_start)
    if fiscal_year(period_end) != (year_start, year_end):
        raise ValueError("a SIE file holds one financial year")
    invoices = list(invoices)
    numbers = voucher_numbers(settings.practice, invoices)
    generated = generated or clock.today()
    records: list[Record] = [
        ("#PROGRAM", _Text("Bollplank"), "1.0"),
        ("#FORMAT", "PC8"),
        ("#GEN", _ymd(generated)),
        ("#SIETYP", 4),
        ("#FNAMN", _Text(settings.legal_name)),
        ("#ORGNR", settings.org_number),
        ("#RAR", 0, _ymd(year_start), _ymd(year_end)),
        ("#KPTYP", CHART_OF_ACCOUNTS),
    ]
    accounts = [
        (settings.account_receivable, ACCOUNT_NAMES["receivable"]),
        (settings.account_output_vat, ACCOUNT_NAMES["vat"]),
        (settings.account_sales, ACCOUNT_NAMES["sales"]),
        (settings.account_sales_exempt, ACCOUNT_NAMES["exempt"]),
    ]
    records += [("#KONTO", number, _Text(name)) for number, name in accounts]
    vouchers: list[tuple[Record, list[Record]]] = []
    # The format wants a series' vouchers in ascending number order.
    for invoice in sorted(invoices, key=lambda i: numbers[i.pk]):
        assert invoice.issue_date is not None
        t = totals(invoice.lines.all())
        word = "Kreditfaktura" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Faktura"
        text = f"{word} {invoice.display_number} {invoice.buyer.get('name', '')}"
        head: Record = (
            "#VER",
            VOUCHER_SERIES,
            numbers[invoice.pk],
            _ymd(invoice.issue_date),
            _Text(text[:100]),
        )
        rows: list[Record] = [
            ("#TRANS", settings.account_receivable, NO_OBJECTS, kronor(t.total_ore))
        ]
        for row in t.rows:
            sales = (
                settings.account_sales_exempt
                if row.category == VatCategory.EXEMPT
                else settings.account_sales
            )
            rows.append(("#TRANS", sales, NO_OBJECTS, kronor(-row.base_ore)))
        if t.vat_ore:
            rows.append(("#TRANS", settings.account_output_vat, NO_OBJECTS, kronor(-t.vat_ore)))
        vouchers.append((head, rows))
    return _sie_file(records, vouchers)


def _sek(ore: int) -> str:
    return kronor(ore).replace(".", ",")


def csv_header() -> list[str]:
    """The column names in the active language."""
    return [
        pgettext("invoice export", "Number"),
        pgettext("invoice export", "Type"),
        pgettext("invoice export", "Invoice date"),
        pgettext("invoice export", "Due date"),
        pgettext("invoice export", "Customer"),
        pgettext("invoice export", "Organisation number"),
        pgettext("invoice export", "Your reference"),
        pgettext("invoice export", "OCR"),
        pgettext("invoice export", "Net"),
        pgettext("invoice export", "VAT"),
        pgettext("invoice export", "Total"),
        pgettext("invoice export", "Status"),
        pgettext("invoice export", "Paid"),
    ]


def invoices_csv(invoices: Iterable[Invoice]) -> bytes:
    """One row per invoice or credit note in the active language's conventions: in Swedish
    semicolon-separated with decimal commas (as Swedish spreadsheets read it), in English
    comma-separated with decimal points; dates ISO; UTF-8 with a byte-order mark. Amounts are
    written by us and stay numbers; every text cell is neutralised."""
    comma = get_format("DECIMAL_SEPARATOR") == ","
    amount = _sek if comma else kronor
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if comma else ",", lineterminator="\r\n")
    writer.writerow(csv_header())
    for invoice in invoices:
        writer.writerow(
            [
                csv_safe(invoice.display_number),
                str(InvoiceKind(invoice.kind).label),
                invoice.issue_date.isoformat() if invoice.issue_date else "",
                invoice.due_date.isoformat() if invoice.due_date else "",
                csv_safe(invoice.buyer.get("name", "")),
                csv_safe(invoice.buyer.get("org_number", "")),
                csv_safe(invoice.buyer_reference),
                invoice.ocr,
                amount(invoice.net_ore),
                amount(invoice.vat_ore),
                amount(invoice.total_ore),
                str(InvoiceStatus(invoice.status).label),
                invoice.paid_on.isoformat() if invoice.paid_on else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def parse_sie(data: bytes) -> list[list[str]]:
    """Read a SIE file back into its records (for tests and checks): each line split into
    tokens, quoted strings unescaped."""
    records = []
    for raw in data.decode("cp437").splitlines():
        tokens: list[str] = []
        i, line = 0, raw.strip()
        while i < len(line):
            ch = line[i]
            if ch == " ":
                i += 1
            elif ch == '"':
                j, buf = i + 1, []
                while j < len(line) and line[j] != '"':
                    if line[j] == "\\" and j + 1 < len(line):
                        j += 1
                    buf.append(line[j])
                    j += 1
                tokens.append("".join(buf))
                i = j + 1
            elif ch == "{" and line[i : i + 2] == "{}":
                tokens.append("{}")
                i += 2
            else:
                j = line.find(" ", i)
                j = len(line) if j < 0 else j
                tokens.append(line[i:j])
                i = j
        if tokens:
            records.append(tokens)
    return records


def sie_balance(records: list[list[str]]) -> list[Decimal]:
    """The sum of each voucher's transactions (zero for a balanced voucher)."""
    sums: list[Decimal] = []
    inside = False
    for tokens in records:
        if tokens[0] == "{":
            inside = True
            sums.append(Decimal(0))
        elif tokens[0] == "}":
            inside = False
        elif inside and tokens[0] == "#TRANS":
            sums[-1] += Decimal(tokens[3])
    return sums
