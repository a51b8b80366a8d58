"""The BgMax reader: what it reads from a good file, and the line and reason it gives for each
kind of bad one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from bollplank.billing import bgmax
from tests.billing.bgmax_files import Pay, bgmax_file, joined, records

BG = "5050-1055"
D1 = dt.date(2026, 3, 2)
D2 = dt.date(2026, 3, 3)

# One deposit of Bankgirot's published example (Bankgiro Inbetalningar, "avtal om OCR-kontroll"),
# each record padded to 80 characters: an OCR payment, a deduction, a payment with three
# extra references, names, addresses and organisation numbers; the end record counts this
# one deposit.
PUBLISHED = [
    "01BGMAX               0120040525173035010331P",
    "050009912346          SEK",
    "200003783511                   655968000000000000100000220000000000100",
    "26Kalles Plåt AB",
    "27Storgatan 2                        12345",
    "28Storåker",
    "29005500001234",
    "21000378351189854                    0000000000000500003200023000011100",
    "26Kalles Plåt AB",
    "27Storgatan 2                        12345",
    "28Storåker",
    "29005500001234",
    "200003783511657866 658765 657767     000000000000140000320000000000140",
    "220003783511                   657866000000000000000000220000000000140",
    "220003783511                   658765000000000000000000220000000000140",
    "220003783511                   657767000000000000000000220000000000140",
    "25Betalning med extra refnr 657965",
    "26Kalles Plåt AB",
    "27Storgatan 2                        12345",
    "28Storåker",
    "29005500001234",
    "15000000000000000000058410000010098232004052500074000000000000190000SEK00000003",
    "7000000002000000010000000300000001",
]


def test_reads_bankgirots_published_example():
    parsed = bgmax.parse(joined([r.ljust(80) for r in PUBLISHED]))
    assert parsed.written_at == dt.datetime(2004, 5, 25, 17, 30, 35)
    assert parsed.test is False
    [deposit] = parsed.deposits
    assert (deposit.bankgiro, deposit.date, deposit.amount_ore) == (
        "9912346",
        dt.date(2004, 5, 25),
        190000,
    )
    first, deduction, third = deposit.payments
    assert (first.kind, first.reference, first.amount_ore, first.reference_code) == (
        "payment",
        "655968",
        100000,
        "2",
    )
    assert (first.sender_bankgiro, first.serial, first.line) == ("3783511", "000000000010", 3)
    assert (first.payer_name, first.payer_address, first.payer_postal_code) == (
        "Kalles Plåt AB",
        "Storgatan 2",
        "12345",
    )
    assert (first.payer_city, first.payer_org_number) == ("Storåker", "5500001234")
    assert (deduction.kind, deduction.reference, deduction.signed_ore) == (
        "deduction",
        "89854",
        -50000,
    )
    assert third.reference == "657866 658765 657767"
    assert third.extra_references == ["657866", "658765", "657767"]
    assert third.information == ["Betalning med extra refnr 657965"]


def test_reads_a_built_file_with_two_deposits_in_utf8_too():
    deposits = [
        (D1, [Pay("10010189", 125000, "1", name="Solbacka skola", org_number="2120001234")]),
        (D2, [Pay("10020185", 5000, "2"), Pay("10020185", 1000, "3", deduction=True)]),
    ]
    latin = bgmax.parse(bgmax_file(BG, deposits))
    utf8 = bgmax.parse("\n".join(records(BG, deposits)).encode("utf-8"))
    for parsed in (latin, utf8):
        assert [(d.bankgiro, d.date, d.amount_ore) for d in parsed.deposits] == [
            ("50501055", D1, 125000),
            ("50501055", D2, 4000),
        ]
        assert [(p.reference, p.signed_ore, p.serial[-1]) for p in parsed.payments] == [
            ("10010189", 125000, "1"),
            ("10020185", 5000, "2"),
            ("10020185", -1000, "3"),
        ]
        assert parsed.payments[0].payer_name == "Solbacka skola"
        assert parsed.payments[0].payer_org_number == "2120001234"


def test_a_utf8_file_with_a_byte_order_mark_is_read():
    lines = records(BG, [(D1, [Pay("10010189", 125000, "1", name="Åsa Öberg")])])
    parsed = bgmax.parse(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    assert parsed.written_at.date() == dt.date(2026, 3, 2)
    [payment] = parsed.payments
    assert (payment.reference, payment.payer_name) == ("10010189", "Åsa Öberg")


def _good() -> list[str]:
    return records(BG, [(D1, [Pay("10010189", 125000, "1", name="Solbacka skola")])])


def _with(line: int, record: str) -> bytes:
    lines = _good()
    lines[line - 1] = record
    return joined(lines)


def _replaced(line: int, start: int, value: str) -> bytes:
    record = _good()[line - 1]
    return _with(line, record[: start - 1] + value + record[start - 1 + len(value) :])


# The good file: 1 start, 2 opening, 3 payment, 4-6 name and address, 7 deposit, 8 end.
BAD = [
    ("short record", _with(3, _good()[2][:79]), 3, "har 79 tecken"),
    ("long record", _with(4, _good()[3] + " "), 4, "har 81 tecken"),
    ("unknown type", _with(5, "99" + _good()[4][2:]), 5, "Okänd posttyp ”99”"),
    ("amount not a number", _replaced(3, 38, "00000000000012500X"), 3, "Beloppet"),
    ("deposit date", _replaced(7, 38, "20260231"), 7, "inte ett datum"),
    ("deposit count", _replaced(7, 72, "00000002"), 7, "2 betalningar"),
    ("deposit total", _replaced(7, 51, "000000000000125001"), 7, "125001 öre"),
    ("end count of payments", _replaced(8, 3, "00000002"), 8, "betalningsposter (20)"),
    ("end count of deposits", _replaced(8, 27, "00000000"), 8, "insättningsposter (15)"),
    ("no start", _with(1, _good()[1]), 1, "startpost (01)"),
    ("detail before a payment", _with(3, "26Solbacka".ljust(80)), 3, "följer inte"),
    ("time stamp", _replaced(1, 25, "2026133"), 1, "tidsstämpel"),
    # Digits other than 0-9 (superscripts, other scripts) pass str.isdigit() but not int().
    ("superscript in an amount", _replaced(3, 38, "00000000000012500²"), 3, "Beloppet"),
    ("superscript one in an amount", _replaced(3, 54, "¹³"), 3, "Beloppet"),
    ("superscript in a date", _replaced(7, 38, "2026030²"), 7, "inte ett datum"),
    ("superscript in the time stamp", _replaced(1, 25, "²"), 1, "tidsstämpel"),
    ("superscript in the sender", _replaced(3, 3, "000000000²"), 3, "Avsändarens bankgiro"),
    ("superscript in the bankgiro", _replaced(2, 3, "005050105²"), 2, "Bankgironumret"),
    ("superscript in a count", _replaced(8, 3, "0000000²"), 8, "betalningsposter"),
    ("null byte in a name", _replaced(4, 10, "\x00"), 4, "styrtecken"),
    ("escape in an address", _replaced(5, 5, "\x1b[2J"), 5, "styrtecken"),
    ("DEL in a city", _replaced(6, 3, "\x7f"), 6, "styrtecken"),
]


@pytest.mark.parametrize(("data", "line", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_file_is_refused_with_its_line(data, line, words):
    with translation.override("sv"), pytest.raises(bgmax.BgMaxError) as caught:
        bgmax.parse(data)
    assert caught.value.line == line
    with translation.override("sv"):
        assert words in str(caught.value)
        assert str(caught.value).startswith(f"Rad {line}: ")


def test_a_blank_or_repeated_serial_number_in_a_deposit_is_refused_with_its_line():
    two = [Pay("10010189", 1000, "7"), Pay("10020185", 2000, "8")]
    lines = records(BG, [(D1, two)])
    assert [r[:2] for r in lines] == ["01", "05", "20", "20", "15", "70"]
    blank = lines.copy()
    blank[3] = blank[3][:57] + " " * 12 + blank[3][69:]
    same = lines.copy()
    same[3] = same[3][:57] + lines[2][57:69] + same[3][69:]
    with translation.override("sv"):
        with pytest.raises(bgmax.BgMaxError) as caught:
            bgmax.parse(joined(blank))
        assert str(caught.value) == "Rad 4: Betalningen saknar Bankgirots löpnummer."
        with pytest.raises(bgmax.BgMaxError) as caught:
            bgmax.parse(joined(same))
        assert str(caught.value) == (
            "Rad 4: Betalningen har samma löpnummer (000000000007) som den på rad 3."
        )
    # The same serial number in deposits of different days is two payments.
    parsed = bgmax.parse(
        bgmax_file(BG, [(D1, [Pay("10010189", 1000, "7")]), (D2, [Pay("10010189", 1000, "7")])])
    )
    assert len(parsed.payments) == 2


def test_a_test_file_is_marked_as_such():
    lines = _good()
    lines[0] = lines[0][:44] + "T" + lines[0][45:]
    assert bgmax.parse(joined(lines)).test is True


def test_a_file_without_its_end_is_refused_at_its_last_line():
    with pytest.raises(bgmax.BgMaxError) as caught:
        bgmax.parse(joined(_good()[:-1]))
    assert caught.value.line == 7


def test_an_empty_file_is_refused():
    with pytest.raises(bgmax.BgMaxError) as caught:
        bgmax.parse(b"\r\n\r\n")
    assert caught.value.line == 1


def test_a_personal_identity_number_in_record_29_is_not_kept():
    def org_number_read(value: str) -> str:
        lines = records(BG, [(D1, [Pay("10010189", 1000, "1", org_number="2120001234")])])
        assert lines[3].startswith("29")
        lines[3] = ("29" + value).ljust(80)
        [payment] = bgmax.parse(joined(lines)).payments
        return payment.payer_org_number

    assert org_number_read("002120001234") == "2120001234"  # an organisation number is kept
    assert org_number_read("005500001234") == "5500001234"
    assert org_number_read("198112289874") == ""  # 12 digits
    assert org_number_read("008112289874") == ""  # 10 digits, padded
    assert org_number_read("000501011233") == ""  # born this century: a leading zero
