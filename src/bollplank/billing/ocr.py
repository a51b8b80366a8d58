"""OCR payment references (Bankgirot): digits, a length digit and a Luhn check digit."""

from __future__ import annotations

from stdnum import luhn


def ocr_reference(base: int | str) -> str:
    """``base`` followed by the length digit (the whole reference's length modulo 10) and the
    Luhn (mod 10) check digit over everything before it. 1001 → "100164"."""
    digits = str(base)
    if not digits.isdigit():
        raise ValueError("An OCR reference is made of digits.")
    length_digit = str((len(digits) + 2) % 10)
    body = digits + length_digit
    return body + luhn.calc_check_digit(body)


def ocr_is_valid(reference: str) -> bool:
    """True when the length digit and the Luhn check digit both hold."""
    if not reference.isdigit() or len(reference) < 3:
        return False
    return int(reference[-2]) == len(reference) % 10 and luhn.is_valid(reference)
