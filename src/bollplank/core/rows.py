"""Texts for long lists of rows, made once per page in Python rather than per row in the
template (an include, a ``{% url %}`` and several ``|date`` filters per row were most of a big
page's rendering). Each gives exactly what the template tag or filter gave."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR


def url_for_pk(name: str, slug: str) -> Callable[[int], str]:
    """``{% url name slug pk %}`` for many pks with one reverse()."""
    head, tail = reverse(name, args=[slug, 0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def weekday_abbreviations() -> list[str]:
    """Django's "D" date format per weekday (Monday first), in the active language."""
    return [str(WEEKDAYS_ABBR[i]) for i in range(7)]


def times_label(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """``|date:"H:i"`` of start and end in the current time zone, joined by an en dash."""
    return f"{timezone.localtime(starts_at):%H:%M}–{timezone.localtime(ends_at):%H:%M}"
