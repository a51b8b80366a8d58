"""What else a practice invoices besides meetings and monthly fees: course registrations
(courses/invoicing.py). The app that sells it plugs in when Django starts (its
``AppConfig.ready``), so that the invoice run and the billing overview take it in while billing
imports no app above it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class InvoiceSource:
    # Draft invoices for a period, called by the invoice run inside its transaction after it
    # locked the practice's run: keyword arguments actor, practice, period_start, period_end.
    drafts: Callable[..., list[Any]]
    # What was delivered but no invoice holds yet, for the overview (billing.selectors
    # UninvoicedCourse rows): called with the practice.
    not_invoiced: Callable[[Any], list[Any]]
    # What the admin must decide on before a run (billing.selectors UnmatchedRegistration
    # rows), called with the practice, and the URL name (practice slug, row pk) that decides.
    unmatched: Callable[[Any], list[Any]] = lambda practice: []
    decide_url: str = ""


_SOURCES: dict[str, InvoiceSource] = {}


def invoice_source_register(name: str, source: InvoiceSource) -> None:
    _SOURCES[name] = source


def unmatched_rows(practice: Any) -> list[tuple[str, Any]]:
    """Every source's rows awaiting a decision, each with the URL name that decides it."""
    return [(s.decide_url, row) for s in _SOURCES.values() for row in s.unmatched(practice)]


def invoice_sources() -> list[InvoiceSource]:
    """Every registered source, in the order they registered."""
    return list(_SOURCES.values())
