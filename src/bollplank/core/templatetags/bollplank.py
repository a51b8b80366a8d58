"""Template filters for Swedish formats."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.formats import number_format
from django.utils.translation import get_language

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


_MENU_FLAGS = (
    "is_admin",
    "is_supervisor",
    "is_staff_member",
    "is_participant",
    "is_client_contact",
)


@register.simple_tag(takes_context=True)
def navigation_menu(context: Context) -> str:
    """The main menu of a practice's pages (templates/_navigation.html).

    It depends on nothing but the practice's address, the person's roles and the language, so
    each worker renders it once for each of those: its thirty-odd links (a reverse() and a
    translation each) were a large part of rendering the layout of every page."""
    flags = tuple(bool(context.get(name)) for name in _MENU_FLAGS)
    return _menu(get_language(), get_script_prefix(), context["practice"].slug, flags)


@lru_cache(maxsize=256)
def _menu(language: str, prefix: str, slug: str, flags: tuple[bool, ...]) -> str:
    data: dict[str, Any] = {
        "practice": {"slug": slug},
        **dict(zip(_MENU_FLAGS, flags, strict=True)),
    }
    return render_to_string("_navigation.html", data)  # safe already: escaped when rendered


@receiver(setting_changed, dispatch_uid="bollplank_navigation_menu")
def _forget_menus(**kwargs: Any) -> None:
    # Tests change the URLs, languages or templates the menu is made of.
    _menu.cache_clear()
