"""The engagement's terms for late cancellations, as billing states them.

Billing sits above meetings, so it plugs its reading of the terms in when Django starts
(billing/apps.py); the cancellation step names the consequence from it before anyone commits."""

from __future__ import annotations

from collections.abc import Callable

from bollplank.engagements.models import Engagement

_late_share: list[Callable[[Engagement], int]] = []


def late_share_register(reader: Callable[[Engagement], int]) -> None:
    """``reader(engagement)`` says how many percent of a meeting a late cancellation by the
    client side is charged (0: not charged)."""
    _late_share[:] = [reader]


def late_share(engagement: Engagement) -> int:
    """The percent a late cancellation by the client side is charged; 0 without billing."""
    return _late_share[0](engagement) if _late_share else 0
