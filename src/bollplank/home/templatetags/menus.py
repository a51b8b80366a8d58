"""The menus of the layout (templates/base.html): ``{% site_menu as menu %}``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Context
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language

from bollplank.booking.selectors import can_book
from bollplank.home.menus import Flags, Menu, Section, menu_for

register = template.Library()


@dataclass(frozen=True)
class MenuHtml:
    primary: str  # the primary menu
    account: str  # the person's own pages
    section: str  # the current section's sub-navigation, or ""


@register.simple_tag(takes_context=True)
def site_menu(context: Context) -> MenuHtml:
    """The menus for the person's roles with the current page marked.

    They depend on nothing but the practice's address, the roles, the language and which of
    the menus' own pages (if any) is open, so each worker renders them once for each of
    those: their thirty-odd links (a reverse() and a translation each) would otherwise be a
    large part of rendering the layout of every page."""
    participant = bool(context.get("is_participant"))
    request = context["request"]
    flags = Flags(
        bool(context.get("is_admin")),
        bool(context.get("is_supervisor")),
        participant,
        bool(context.get("is_client_contact")),
        # The one thing of a menu that depends on more than the roles: one query, and only
        # for a participant, whose booking page has nothing without an individual engagement.
        participant and can_book(request.user, context["practice"]),
    )
    slug = context["practice"].slug
    prefix = get_script_prefix()
    path = request.path
    table = _addresses(prefix, slug, flags)
    section = _section_of(table, path)
    current = path if path in table.links else table.aliases.get(path, "")
    return _render(get_language(), prefix, slug, flags, section, current)


@dataclass(frozen=True)
class _Addresses:
    links: frozenset[str]  # every page the menus link to
    matches: tuple[tuple[str, bool, int], ...]  # (address, exact?, section index)
    aliases: Mapping[str, str]  # another view of a linked page -> the link's address


@lru_cache(maxsize=256)
def _addresses(prefix: str, slug: str, flags: Flags) -> _Addresses:
    menu = menu_for(flags)
    root = reverse("dashboard", args=[slug])
    matches: list[tuple[str, bool, int]] = []
    for index, section in enumerate(menu.primary):
        for link in (section.home, *section.links):
            matches.append((link.path(slug), True, index))
        matches += [(root + p, False, index) for p in section.prefixes]
    links = {path for path, exact, _index in matches if exact}
    every = [link for s in menu.primary for link in (s.home, *s.links)]
    every += [link for group in menu.account for link in group.links]
    links |= {link.path(slug) for link in every}
    aliases = {reverse(name, args=[slug]): link.path(slug) for link in every for name in link.also}
    return _Addresses(frozenset(links), tuple(matches), aliases)


def _section_of(table: _Addresses, path: str) -> int | None:
    """The section with the longest address that is the page's or a prefix of it."""
    best: tuple[int, int] | None = None
    for address, exact, index in table.matches:
        hit = path == address if exact else path.startswith(address)
        if hit and (best is None or len(address) > best[0]):
            best = (len(address), index)
    return None if best is None else best[1]


def _link(link: Any, slug: str, current: str) -> dict[str, Any]:
    path = link.path(slug)
    return {"label": link.label, "url": path, "current": path == current}


@lru_cache(maxsize=1024)
def _render(
    language: str, prefix: str, slug: str, flags: Flags, section: int | None, current: str
) -> MenuHtml:
    menu: Menu = menu_for(flags)
    primary = [
        {**_link(s.home, slug, current), "label": s.label, "in_section": i == section}
        for i, s in enumerate(menu.primary)
    ]
    account = [
        {"heading": g.heading, "links": [_link(link, slug, current) for link in g.links]}
        for g in menu.account
        if g.links
    ]
    sub = ""
    chosen: Section | None = None if section is None else menu.primary[section]
    on_landing = (
        chosen is not None and chosen.home_lists_links and chosen.home.path(slug) == current
    )
    if chosen is not None and chosen.links and not on_landing:
        links = [
            {**_link(link, slug, current), "label": link.short or link.label}
            for link in chosen.links
        ]
        here = next((link["label"] for link in links if link["current"]), None)
        # On the section's own page the toggle says the section once, not "Calendar: Calendar".
        if here is not None and str(here) == str(chosen.label):
            here = None
        sub = render_to_string(
            "_section_nav.html", {"section": chosen, "links": links, "here": here}
        )
    # Safe already: render_to_string escapes as it renders and marks its result safe.
    return MenuHtml(
        render_to_string("_navigation.html", {"items": primary}),
        render_to_string("_account_nav.html", {"groups": account}),
        sub,
    )


@receiver(setting_changed, dispatch_uid="bollplank_site_menu")
def _forget_menus(**kwargs: Any) -> None:
    # Tests change the URLs, languages or templates the menus are made of.
    _addresses.cache_clear()
    _render.cache_clear()
