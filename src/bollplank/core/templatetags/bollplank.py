"""Template filters for Swedish formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format_modules, number_format
from django.utils.timezone import is_aware, localtime

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


@register.filter
def day_month(value: dt.date | dt.datetime | None) -> str:
    """A day without its year in the active language's short form: "28 dec", "28 Dec"."""
    if not value:
        return ""
    if isinstance(value, dt.datetime) and is_aware(value):
        value = localtime(value)
    formats = (getattr(m, "SHORT_MONTH_DAY_FORMAT", None) for m in get_format_modules())
    fmt = next((f for f in formats if f), "j M")
    return date_format(value, fmt)
