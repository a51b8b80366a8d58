"""Reading BgMax, Bankgirot's file of incoming payments (Bankgiro Inbetalningar).

A file is fixed-width records of 80 characters, each starting with its two-digit type
(transaktionskod): 01 start, then per deposit a 05 opening, its payments (20) and deductions
(21) each followed by their extra references (22, 23), information (25), name and address
(26, 27, 28) and organisation number (29), a 15 deposit record with the deposit's date, count
and amount, and finally a 70 end record with the number of records of each kind.

The reader is strict on purpose: a payment file decides what is marked paid, so anything that
does not add up (a record of the wrong length, an unknown type, a record out of place, a date
or amount that is not one, counts and totals that disagree) refuses the whole file with the
line it was found on. Positions below are 1-based and inclusive, as Bankgirot's manual gives
them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from stdnum.se import personnummer

from bollplank.core.validators import control_characters_in

RECORD_LENGTH = 80
KNOWN_TYPES = frozenset(
    {"01", "05", "15", "20", "21", "22", "23", "25", "26", "27", "28", "29", "70"}
)
# Records that belong to the payment or deduction just before them.
DETAIL_TYPES = frozenset({"22", "23", "25", "26", "27", "28", "29"})
# Reference code (position 56) 2: the reference is an OCR reference Bankgirot has checked.
REFERENCE_CODE_OCR = "2"


class BgMaxError(ValueError):
    """A file that cannot be read; ``line`` is the 1-based line the fault was found on."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(_("Line %(line)d: %(message)s") % {"line": line, "message": message})


@dataclass
class BgMaxPayment:
    """A payment (20) or a deduction (21) with what the records after it add."""

    line: int
    kind: str  # "payment" or "deduction"
    sender_bankgiro: str
    reference: str
    amount_ore: int  # as in the file: positive for a deduction too
    reference_code: str
    channel: str
    serial: str  # Bankgirot's serial number of the payment (BGC-löpnummer)
    deduction_code: str = ""
    extra_references: list[str] = field(default_factory=list)
    information: list[str] = field(default_factory=list)
    payer_name: str = ""
    payer_address: str = ""
    payer_postal_code: str = ""
    payer_city: str = ""
    payer_org_number: str = ""

    @property
    def signed_ore(self) -> int:
        """What the payment adds to the deposit: a deduction takes away."""
        return -self.amount_ore if self.kind == "deduction" else self.amount_ore


@dataclass
class BgMaxDeposit:
    """One deposit on the bank account: an opening (05), payments, a deposit record (15)."""

    line: int
    bankgiro: str
    currency: str
    payments: list[BgMaxPayment] = field(default_factory=list)
    date: dt.date | None = None
    serial: str = ""
    amount_ore: int = 0


@dataclass
class BgMaxFile:
    written_at: dt.datetime
    test: bool
    deposits: list[BgMaxDeposit]

    @property
    def payments(self) -> list[BgMaxPayment]:
        return [p for d in self.deposits for p in d.payments]

    @property
    def bankgiros(self) -> set[str]:
        return {d.bankgiro for d in self.deposits}


def _text(data: bytes) -> str:
    """Bankgirot writes ISO 8859-1; a file re-saved as UTF-8 is read as such (with or without
    the byte order mark some editors put first)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _field(record: str, start: int, end: int) -> str:
    return record[start - 1 : end]


def _digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²" and the like, which int() refuses."""
    return value.isascii() and value.isdigit()


def _number(record: str, start: int, end: int, line: int, what: str) -> int:
    value = _field(record, start, end)
    if not _digits(value):
        raise BgMaxError(
            line,
            _("%(what)s in positions %(start)d–%(end)d is not a number: “%(value)s”.")
            % {"what": what, "start": start, "end": end, "value": value},
        )
    return int(value)


def _date(record: str, start: int, line: int) -> dt.date:
    value = _field(record, start, start + 7)
    try:
        if not _digits(value):
            raise ValueError(value)
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise BgMaxError(
            line,
            _("The date in positions %(start)d–%(end)d is not a date: “%(value)s”.")
            % {"start": start, "end": start + 7, "value": value},
        ) from None


def _bankgiro(record: str, start: int, end: int, line: int) -> str:
    """A bankgiro number without its leading zeros (as the practice's settings hold it)."""
    return str(_number(record, start, end, line, _("The bankgiro number")))


def _start(record: str, line: int) -> tuple[dt.datetime, bool]:
    if _field(record, 3, 22).strip() != "BGMAX":
        raise BgMaxError(line, _("The start record does not name the layout BGMAX."))
    stamp = _field(record, 25, 44)
    try:
        if not _digits(stamp):
            raise ValueError(stamp)
        written = dt.datetime.strptime(stamp[:14], "%Y%m%d%H%M%S")
    except ValueError:
        raise BgMaxError(
            line, _("The start record's time stamp is not a time: “%(value)s”.") % {"value": stamp}
        ) from None
    return written, _field(record, 45, 45) == "T"


def _payment(record: str, kind: str, line: int) -> BgMaxPayment:
    sender = _field(record, 3, 12)
    if sender.strip() and not _digits(sender):
        raise BgMaxError(line, _("The sender's bankgiro number is not a number."))
    return BgMaxPayment(
        line=line,
        kind=kind,
        sender_bankgiro=str(int(sender)) if sender.strip() and int(sender) else "",
        reference=_field(record, 13, 37).strip(),
        amount_ore=_number(record, 38, 55, line, _("The amount")),
        reference_code=_field(record, 56, 56),
        channel=_field(record, 57, 57),
        serial=_field(record, 58, 69).strip(),
        deduction_code=_field(record, 71, 71).strip() if kind == "deduction" else "",
    )


def _check_serial(deposit: BgMaxDeposit, payment: BgMaxPayment) -> None:
    """A payment is known by its serial number on its deposit day: one without, or with the
    serial of another payment of the deposit, would be taken for one already imported."""
    if not payment.serial:
        raise BgMaxError(payment.line, _("The payment has no serial number from Bankgirot."))
    for other in deposit.payments:
        if other.serial == payment.serial:
            raise BgMaxError(
                payment.line,
                _(
                    "The payment has the same serial number (%(serial)s) as the one on line "
                    "%(other)d."
                )
                % {"serial": payment.serial, "other": other.line},
            )


def _detail(payment: BgMaxPayment, kind: str, record: str, line: int) -> None:
    if kind in ("22", "23"):
        _number(record, 38, 55, line, _("The amount"))
        payment.extra_references.append(_field(record, 13, 37).strip())
    elif kind == "25":
        payment.information.append(_field(record, 3, 52).strip())
    elif kind == "26":
        payment.payer_name = " ".join(
            x for x in (_field(record, 3, 37).strip(), _field(record, 38, 72).strip()) if x
        )
    elif kind == "27":
        payment.payer_address = _field(record, 3, 37).strip()
        payment.payer_postal_code = _field(record, 38, 46).strip()
    elif kind == "28":
        payment.payer_city = _field(record, 3, 37).strip()
    elif kind == "29":
        number = _field(record, 3, 14).strip()
        # A payer who is a person may send their personal identity number here; the system
        # never needs one and keeps none.
        if not _personal_identity_number(number):
            payment.payer_org_number = number.lstrip("0")


def _personal_identity_number(value: str) -> bool:
    """Whether the record's 12 positions hold a Swedish personal identity number (12 digits,
    or 10 padded with zeros)."""
    ten = value[2:] if len(value) == 12 and value.startswith("00") else ""
    return any(_digits(v) and personnummer.is_valid(v) for v in (value, ten) if v)


def _close(deposit: BgMaxDeposit, record: str, line: int) -> None:
    deposit.date = _date(record, 38, line)
    deposit.serial = _field(record, 46, 50).strip()
    deposit.amount_ore = _number(record, 51, 68, line, _("The deposit amount"))
    count = _number(record, 72, 79, line, _("The number of payments"))
    if count != len(deposit.payments):
        raise BgMaxError(
            line,
            _(
                "The deposit record says %(said)d payments, but the deposit opened on line "
                "%(opened)d holds %(found)d."
            )
            % {"said": count, "opened": deposit.line, "found": len(deposit.payments)},
        )
    total = sum(p.signed_ore for p in deposit.payments)
    if total != deposit.amount_ore:
        raise BgMaxError(
            line,
            _(
                "The deposit record says %(said)s öre in all, but its payments add up to "
                "%(found)s öre."
            )
            % {"said": deposit.amount_ore, "found": total},
        )


def _end(record: str, line: int, counts: dict[str, int]) -> None:
    said = {
        "20": _number(record, 3, 10, line, _("The number of payment records")),
        "21": _number(record, 11, 18, line, _("The number of deduction records")),
        "22": _number(record, 19, 26, line, _("The number of extra reference records")),
        "15": _number(record, 27, 34, line, _("The number of deposit records")),
    }
    names = {
        "20": _("payment records (20)"),
        "21": _("deduction records (21)"),
        "22": _("extra reference records (22, 23)"),
        "15": _("deposit records (15)"),
    }
    for kind, number in said.items():
        if number != counts[kind]:
            raise BgMaxError(
                line,
                _("The end record says %(said)d %(what)s, but the file holds %(found)d.")
                % {"said": number, "what": names[kind], "found": counts[kind]},
            )


def parse(data: bytes) -> BgMaxFile:
    """The file's deposits and payments; raises BgMaxError at the first fault."""
    lines = _text(data).splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise BgMaxError(1, _("The file is empty."))
    counts = {"20": 0, "21": 0, "22": 0, "15": 0}
    deposits: list[BgMaxDeposit] = []
    deposit: BgMaxDeposit | None = None
    payment: BgMaxPayment | None = None
    written: dt.datetime | None = None
    test = False
    ended = False
    for number, record in enumerate(lines, start=1):
        if len(record) != RECORD_LENGTH:
            raise BgMaxError(
                number,
                _("A record has %(length)d characters; BgMax records have %(expected)d.")
                % {"length": len(record), "expected": RECORD_LENGTH},
            )
        if control_characters_in(record, multiline=False):
            # A NUL cannot be stored in PostgreSQL, and Bankgirot writes none of them.
            raise BgMaxError(
                number, _("The record holds control characters (such as a null byte).")
            )
        kind = record[:2]
        if kind not in KNOWN_TYPES:
            raise BgMaxError(number, _("Unknown record type “%(kind)s”.") % {"kind": kind})
        if ended:
            raise BgMaxError(number, _("A record after the end record (70)."))
        if number == 1 and kind != "01":
            raise BgMaxError(number, _("The file does not begin with a start record (01)."))
        if kind == "01":
            if number != 1:
                raise BgMaxError(number, _("A second start record (01)."))
            written, test = _start(record, number)
        elif kind == "05":
            if deposit is not None:
                raise BgMaxError(
                    number, _("An opening record (05) before the deposit record (15).")
                )
            deposit = BgMaxDeposit(
                line=number,
                bankgiro=_bankgiro(record, 3, 12, number),
                currency=_field(record, 23, 25).strip() or "SEK",
            )
            if deposit.currency != "SEK":
                raise BgMaxError(
                    number,
                    _("The deposit is in %(currency)s; only SEK is read.")
                    % {"currency": deposit.currency},
                )
            payment = None
        elif kind in ("20", "21"):
            if deposit is None:
                raise BgMaxError(number, _("A payment outside a deposit (no opening record 05)."))
            payment = _payment(record, "payment" if kind == "20" else "deduction", number)
            _check_serial(deposit, payment)
            deposit.payments.append(payment)
            counts[kind] += 1
        elif kind in DETAIL_TYPES:
            if payment is None:
                raise BgMaxError(
                    number,
                    _("Record %(kind)s does not follow a payment (20) or a deduction (21).")
                    % {"kind": kind},
                )
            _detail(payment, kind, record, number)
            if kind in ("22", "23"):
                counts["22"] += 1
        elif kind == "15":
            if deposit is None:
                raise BgMaxError(number, _("A deposit record (15) without an opening record (05)."))
            _close(deposit, record, number)
            deposits.append(deposit)
            counts["15"] += 1
            deposit, payment = None, None
        elif kind == "70":
            if deposit is not None:
                raise BgMaxError(
                    number,
                    _("The end record (70) comes before the deposit opened on line %(line)d ends.")
                    % {"line": deposit.line},
                )
            _end(record, number, counts)
            ended = True
    if not ended:
        raise BgMaxError(len(lines), _("The file has no end record (70)."))
    assert written is not None
    return BgMaxFile(written_at=written, test=test, deposits=deposits)
