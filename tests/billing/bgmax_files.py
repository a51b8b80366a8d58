"""BgMax files built for tests, record by record as Bankgirot's manual lays them out (written
here independently of the reader in bollplank.billing.bgmax, so that a shared mistake in field
positions would not pass unnoticed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WRITTEN = dt.datetime(2026, 3, 2, 7, 5, 9)


@dataclass
class Pay:
    reference: str
    amount_ore: int
    serial: str
    deduction: bool = False
    ocr: bool = True
    sender: str = ""
    name: str = ""
    org_number: str = ""
    city: str = ""
    information: str = ""
    extra: list[str] = field(default_factory=list)


def _rec(text: str) -> str:
    assert len(text) <= 80, text
    return text.ljust(80)


def records(
    bankgiro: str, deposits: list[tuple[dt.date, list[Pay]]], *, written: dt.datetime = WRITTEN
) -> list[str]:
    """The file's records, 80 characters each."""
    bg = "".join(c for c in bankgiro if c.isdigit()).zfill(10)
    out = [_rec("01" + "BGMAX".ljust(20) + "01" + written.strftime("%Y%m%d%H%M%S") + "000000P")]
    n20 = n21 = n22 = 0
    for number, (date, payments) in enumerate(deposits, start=1):
        out.append(_rec("05" + bg + " " * 10 + "SEK"))
        total = 0
        for p in payments:
            code = "21" if p.deduction else "20"
            n21 += p.deduction
            n20 += not p.deduction
            total += -p.amount_ore if p.deduction else p.amount_ore
            out.append(
                _rec(
                    code
                    + p.sender.zfill(10)
                    + p.reference.ljust(25)
                    + str(p.amount_ore).zfill(18)
                    + ("2" if p.ocr else "3")
                    + "1"
                    + p.serial.zfill(12)
                    + "0"
                    + ("1" if p.deduction else " ")
                )
            )
            for extra in p.extra:
                n22 += 1
                out.append(_rec("22" + "0" * 10 + extra.ljust(25) + "0" * 18 + "2" + "1"))
            if p.information:
                out.append(_rec("25" + p.information[:50]))
            if p.name:
                out.append(_rec("26" + p.name.ljust(35)))
                out.append(_rec("27" + "Skolvägen 4".ljust(35) + "74531"))
                out.append(_rec("28" + (p.city or "Ekby").ljust(35)))
            if p.org_number:
                out.append(_rec("29" + p.org_number.zfill(12)))
        out.append(
            _rec(
                "15"
                + "0" * 35
                + date.strftime("%Y%m%d")
                + str(number).zfill(5)
                + str(total).zfill(18)
                + "SEK"
                + str(len(payments)).zfill(8)
            )
        )
    out.append(
        _rec(
            "70"
            + str(n20).zfill(8)
            + str(n21).zfill(8)
            + str(n22).zfill(8)
            + str(len(deposits)).zfill(8)
        )
    )
    return out


def bgmax_file(
    bankgiro: str, deposits: list[tuple[dt.date, list[Pay]]], *, written: dt.datetime = WRITTEN
) -> bytes:
    """The file as Bankgirot sends it: ISO 8859-1, CR LF."""
    return ("\r\n".join(records(bankgiro, deposits, written=written)) + "\r\n").encode("latin-1")


def joined(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")
