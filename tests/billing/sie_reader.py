"""A SIE 4 reader written from the specification (SIE filformat, utgåva 4B, 2008-09-30) for
the tests, independent of Bollplank's writer: it shares no code with billing/exports.py, and
computes the #KSUMMA checksum with its own table-driven CRC-32 after the specification's C
example instead of zlib.

No maintained SIE parser for Python exists on PyPI (the one package, pysie-accounting 0.0.2,
reads with regular expressions in UTF-8, needs a #VER registration date and pandas), hence
this one. It reads what the specification says an importing program must: records one a line,
fields separated by spaces or tabs, quoted fields with backslash escapes, object lists in
braces, vouchers as #VER followed by their rows between "{" and "}", unknown labels ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        crc = n
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


def crc32(data: bytes, crc: int = 0xFFFFFFFF) -> int:
    """The running register of the specification's CRC_accumulate (start it at 0xFFFFFFFF;
    the checksum is the register inverted)."""
    for byte in data:
        crc = ((crc >> 8) & 0x00FFFFFF) ^ CRC_TABLE[(crc ^ byte) & 0xFF]
    return crc


@dataclass
class Field:
    text: str
    quoted: bool = False
    objects: list[str] | None = None  # an object list {dim obj ...}


class SieError(ValueError):
    """The file breaks the SIE 4 format; the message names the line."""


def split(line: str, number: int) -> list[Field]:
    fields: list[Field] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in " \t":
            i += 1
        elif ch == '"':
            i += 1
            buf = []
            while True:
                if i >= len(line):
                    raise SieError(f"line {number}: a quoted field is not closed")
                if line[i] == "\\" and i + 1 < len(line):
                    buf.append(line[i + 1])
                    i += 2
                elif line[i] == '"':
                    i += 1
                    break
                else:
                    buf.append(line[i])
                    i += 1
            fields.append(Field("".join(buf), quoted=True))
        elif ch == "{" and fields:
            end = line.find("}", i)
            if end < 0:
                raise SieError(f"line {number}: an object list is not closed")
            inner = [f.text for f in split(line[i + 1 : end], number)]
            fields.append(Field(line[i : end + 1], objects=inner))
            i = end + 1
        else:
            j = i
            while j < len(line) and line[j] not in " \t":
                j += 1
            fields.append(Field(line[i:j]))
            i = j
    return fields


@dataclass
class Row:
    account: str
    objects: list[str]
    amount: Decimal


@dataclass
class Voucher:
    series: str
    number: str
    date: dt.date
    text: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class SieDocument:
    file_type: str = ""  # 1, 2, 3, 4E or 4I
    flag: str = ""
    program: list[str] = field(default_factory=list)
    format: str = ""
    generated: dt.date | None = None
    company: str = ""
    org_number: str = ""
    chart: str = ""
    years: dict[int, tuple[dt.date, dt.date]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    opening_balances: list[tuple[int, str, Decimal]] = field(default_factory=list)
    vouchers: list[Voucher] = field(default_factory=list)
    checksum_declared: int | None = None
    checksum_computed: int | None = None


def _date(text: str, number: int) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError as exc:
        raise SieError(f"line {number}: {text!r} is not a date YYYYMMDD") from exc


def read(data: bytes, filename: str) -> SieDocument:
    """The document, or SieError naming the line of the first breach of the format."""
    text = data.decode("cp437")
    doc = SieDocument()
    crc: int | None = None
    closed = False
    voucher: Voucher | None = None
    in_block = False
    first = True
    for number, raw in enumerate(text.split("\r\n"), start=1):
        line = raw.strip(" \t")
        if not line:
            continue
        if closed:
            raise SieError(f"line {number}: a record after the closing #KSUMMA")
        if line == "{":
            if voucher is None or in_block:
                raise SieError(f"line {number}: '{{' without a #VER before it")
            in_block = True
            continue
        if line == "}":
            if not in_block or voucher is None:
                raise SieError(f"line {number}: '}}' without an open voucher")
            if sum((r.amount for r in voucher.rows), Decimal(0)) != 0:
                raise SieError(f"line {number}: voucher {voucher.number} does not balance")
            in_block, voucher = False, None
            continue
        fields = split(line, number)
        label, args = fields[0].text, [f.text for f in fields[1:]]
        if not label.startswith("#"):
            raise SieError(f"line {number}: a record starts with a label such as #VER")
        if first and label != "#FLAGGA":
            raise SieError(f"line {number}: #FLAGGA must be the first record")
        first = False
        if label == "#KSUMMA":
            if crc is None and not args:
                crc = 0xFFFFFFFF
                continue
            if crc is None:
                raise SieError(f"line {number}: a closing #KSUMMA without an opening one")
            doc.checksum_declared = int(args[0])
            doc.checksum_computed = crc ^ 0xFFFFFFFF
            closed = True
            continue
        if crc is not None:
            for f in fields:
                parts = f.objects if f.objects is not None else [f.text]
                for part in parts:
                    crc = crc32(part.encode("cp437"), crc)
        if voucher is not None and not in_block:
            raise SieError(f"line {number}: #VER is not followed by '{{'")
        if in_block:
            assert voucher is not None
            if label == "#TRANS":
                objects = fields[2].objects if len(fields) > 2 else None
                if objects is None:
                    raise SieError(f"line {number}: #TRANS without an object list")
                voucher.rows.append(Row(args[0], objects, Decimal(args[2])))
            continue  # #RTRANS, #BTRANS and unknown labels inside a voucher: not rows
        if label == "#FLAGGA":
            doc.flag = args[0]
        elif label == "#PROGRAM":
            doc.program = args
        elif label == "#FORMAT":
            doc.format = args[0]
        elif label == "#GEN":
            doc.generated = _date(args[0], number)
        elif label == "#SIETYP":
            # Type 4 comes as 4E (export, .se) or 4I (import, .si): only the extension tells.
            kind = args[0]
            if kind == "4":
                suffix = PurePath(filename).suffix.lower()
                if suffix not in {".se", ".si"}:
                    raise SieError(f"a type 4 file is named .se or .si, not {suffix!r}")
                kind = "4E" if suffix == ".se" else "4I"
            doc.file_type = kind
        elif label == "#FNAMN":
            doc.company = args[0]
        elif label == "#ORGNR":
            doc.org_number = args[0]
        elif label == "#KPTYP":
            doc.chart = args[0]
        elif label == "#RAR":
            doc.years[int(args[0])] = (_date(args[1], number), _date(args[2], number))
        elif label == "#KONTO":
            doc.accounts[args[0]] = args[1]
        elif label == "#IB":
            doc.opening_balances.append((int(args[0]), args[1], Decimal(args[2])))
        elif label == "#VER":
            voucher = Voucher(
                args[0], args[1], _date(args[2], number), args[3] if len(args) > 3 else ""
            )
            doc.vouchers.append(voucher)
    if in_block or voucher is not None:
        raise SieError("the file ends inside a voucher")
    if crc is not None and not closed:
        raise SieError("the file has an opening #KSUMMA but no closing one: it is cut short")
    _check(doc)
    return doc


def _check(doc: SieDocument) -> None:
    """The rules on the file as a whole that an importing program relies on."""
    if doc.file_type == "4E" and not doc.opening_balances:
        raise SieError("a type 4E file has the opening balances (#IB)")
    if doc.file_type == "4I" and doc.opening_balances:
        raise SieError("a type 4I file holds vouchers only, no balances")
    last: dict[str, int] = {}
    for v in doc.vouchers:
        if not v.series or not v.number:
            continue  # unnumbered: the importing program numbers it
        n = int(v.number)
        if n <= last.get(v.series, 0):
            raise SieError(f"voucher {v.series} {v.number}: numbers ascend within a series")
        last[v.series] = n
    if doc.years:
        start, end = doc.years[0]
        for v in doc.vouchers:
            if not start <= v.date <= end:
                raise SieError(f"voucher {v.series} {v.number} lies outside financial year 0")
