"""Template filters for Swedish formats."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from bollplank.core.audit_labels import LABELS

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """An audit action in words, for the people who read the log; the code when unnamed."""
    label = LABELS.get(action)
    return str(label) if label else action


@register.filter
def money(ore: int | None) -> str:
    """Integer öre as kronor in the active language's format: 4 500,00 kr."""
    if ore is None:
        return ""
    return f"{number_format(Decimal(ore) / 100, 2, use_l10n=True, force_grouping=True)}\xa0kr"
