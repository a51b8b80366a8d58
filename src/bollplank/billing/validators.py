"""Validators for Swedish payment and tax identifiers (python-stdnum where it has them)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban, luhn
from stdnum.se import vat


def validate_vat_number(value: str) -> None:
    if value and not vat.is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid Swedish VAT number, e.g. SE556677889901."),
            code="invalid_vat_number",
            params={"value": value[:20]},
        )


def bankgiro_digits(value: str) -> str:
    """A Bankgiro number as Bankgirot's files give it: its digits, without leading zeros."""
    return "".join(c for c in value if c.isascii() and c.isdigit()).lstrip("0")


def validate_bankgiro(value: str) -> None:
    # Seven or eight digits, written 123-4567 or 1234-5678; the last digit is a Luhn check.
    digits = value.replace("-", "")
    if value and not (
        re.fullmatch(r"\d{3,4}-?\d{4}", value) and len(digits) in (7, 8) and luhn.is_valid(digits)
    ):
        raise ValidationError(
            _("“%(value)s” is not a valid Bankgiro number, e.g. 5050-1055."),
            code="invalid_bankgiro",
            params={"value": value[:20]},
        )


def validate_plusgiro(value: str) -> None:
    digits = value.replace("-", "")
    if value and not (
        re.fullmatch(r"\d{1,7}-?\d", value) and 2 <= len(digits) <= 8 and luhn.is_valid(digits)
    ):
        raise ValidationError(
            _("“%(value)s” is not a valid Plusgiro number, e.g. 41054-8."),
            code="invalid_plusgiro",
            params={"value": value[:20]},
        )


def validate_iban(value: str) -> None:
    if value and not iban.is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid IBAN."), code="invalid_iban", params={"value": value[:42]}
        )


def validate_bic(value: str) -> None:
    if value and not bic.is_valid(value):
        raise ValidationError(
            _("“%(value)s” is not a valid BIC."), code="invalid_bic", params={"value": value[:20]}
        )
