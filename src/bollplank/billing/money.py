"""Öre arithmetic for invoices: integers only, rounding half away from zero so that a credit
note is the exact negation of what it credits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


def round_ore(value: Decimal) -> int:
    """Round to whole öre, half away from zero (ROUND_HALF_UP in decimal is symmetric)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def line_amount(quantity: Decimal, unit_price_ore: int) -> int:
    """A line's net amount: quantity × unit price, rounded to the öre."""
    return round_ore(Decimal(quantity) * unit_price_ore)


def vat_of(base_ore: int, rate_bp: int) -> int:
    """VAT on a tax base at a rate in basis points (2500 = 25 %), rounded to the öre."""
    return round_ore(Decimal(base_ore) * rate_bp / 10000)


class TaxedLine(Protocol):
    amount_ore: int
    vat_category: str
    vat_rate_bp: int


@dataclass(frozen=True)
class VatRow:
    category: str
    rate_bp: int
    base_ore: int
    vat_ore: int

    @property
    def rate_percent(self) -> Decimal:
        return Decimal(self.rate_bp) / 100


@dataclass(frozen=True)
class Totals:
    net_ore: int
    vat_ore: int
    total_ore: int
    rows: tuple[VatRow, ...]


def totals(lines: Iterable[TaxedLine]) -> Totals:
    """Tax base and VAT per category and rate (EN 16931 BR-CO-17: VAT is computed on the base
    of each rate, not per line), and the totals that add up to the öre."""
    bases: dict[tuple[str, int], int] = {}
    for line in lines:
        key = (line.vat_category, line.vat_rate_bp)
        bases[key] = bases.get(key, 0) + line.amount_ore
    rows = tuple(
        VatRow(category, rate, base, vat_of(base, rate))
        for (category, rate), base in sorted(bases.items(), key=lambda kv: (-kv[0][1], kv[0][0]))
    )
    net = sum(r.base_ore for r in rows)
    vat = sum(r.vat_ore for r in rows)
    return Totals(net, vat, net + vat, rows)


def kronor(ore: int) -> str:
    """Öre as a decimal string with two places and a point: 450000 → "4500.00" (XML, CSV)."""
    sign = "-" if ore < 0 else ""
    whole, part = divmod(abs(ore), 100)
    return f"{sign}{whole}.{part:02d}"
