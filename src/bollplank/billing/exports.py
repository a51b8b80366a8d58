"""Accounting exports for a period: SIE 4 (the Swedish exchange format) and CSV.

SIE files are CP437 ("PC8"). A character CP437 lacks is transliterated (é stays, ł → l,
– → -, € → EUR) or, when there is no sensible letter for it, replaced by "?": the file is
never written in another encoding and never cut short.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.translation import pgettext

from bollplank.billing.enums import InvoiceKind, InvoiceStatus, VatCategory
from bollplank.billing.models import BillingSettings, Invoice
from bollplank.billing.money import kronor, totals
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


def sie4(
    invoices: Iterable[Invoice],
    settings: BillingSettings,
    period_start: dt.date,
    period_end: dt.date,
    *,
    generated: dt.date | None = None,
) -> bytes:
    """One #VER per invoice or credit note: receivables against sales per VAT rate and output
    VAT. Credit notes carry negative amounts, so their vouchers reverse the invoice's."""
    generated = generated or clock.today()
    lines = [
        "#FLAGGA 0",
        '#PROGRAM "Bollplank" 1.0',
        "#FORMAT PC8",
        f"#GEN {_ymd(generated)}",
        "#SIETYP 4",
        f"#FNAMN {_quote(settings.legal_name)}",
        f"#ORGNR {settings.org_number}",
    ]
    # Financial years: Bollplank assumes the calendar year (set the accounting program's own
    # year on import if the practice's year is broken).
    years = sorted({period_start.year, period_end.year}, reverse=True)
    for index, year in enumerate(years):
        lines.append(f"#RAR {-index} {year}0101 {year}1231")
    accounts = [
        (settings.account_receivable, ACCOUNT_NAMES["receivable"]),
        (settings.account_output_vat, ACCOUNT_NAMES["vat"]),
        (settings.account_sales, ACCOUNT_NAMES["sales"]),
        (settings.account_sales_exempt, ACCOUNT_NAMES["exempt"]),
    ]
    for number, name in accounts:
        lines.append(f"#KONTO {number} {_quote(name)}")
    for invoice in invoices:
        assert invoice.issue_date is not None
        t = totals(invoice.lines.all())
        word = "Kreditfaktura" if invoice.kind == InvoiceKind.CREDIT_NOTE else "Faktura"
        text = f"{word} {invoice.display_number} {invoice.buyer.get('name', '')}"
        lines.append(f'#VER "" "" {_ymd(invoice.issue_date)} {_quote(text[:100])}')
        lines.append("{")
        lines.append(f"#TRANS {settings.account_receivable} {{}} {kronor(t.total_ore)}")
        for row in t.rows:
            sales = (
                settings.account_sales_exempt
                if row.category == VatCategory.EXEMPT
                else settings.account_sales
            )
            lines.append(f"#TRANS {sales} {{}} {kronor(-row.base_ore)}")
        if t.vat_ore:
            lines.append(f"#TRANS {settings.account_output_vat} {{}} {kronor(-t.vat_ore)}")
        lines.append("}")
    return ("\r\n".join(lines) + "\r\n").encode("cp437")


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
