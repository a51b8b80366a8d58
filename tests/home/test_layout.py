"""The layout every page shares (templates/base.html): the page's language on <html>, the
favicon and app icons from the site's own static files, hyphenation of long Swedish words."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

ICONS = [
    "icons/icon.svg",
    "icons/favicon-32.png",
    "icons/favicon-16.png",
    "icons/apple-touch-icon.png",
    "icons/site.webmanifest",
]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_html_lang_follows_the_active_language(world: Any, language: str) -> None:
    c = Client(headers={"accept-language": language})
    c.force_login(world.supervisor)
    html = c.get(reverse("dashboard", args=["ekbacken"])).content.decode()
    assert f'<html lang="{language}">' in html


def test_every_page_links_the_icons_and_they_are_served_from_static(client: Any) -> None:
    html = client.get(reverse("accessibility")).content.decode()
    linked = re.findall(
        r'<link rel="(?:icon|apple-touch-icon|manifest)" href="/static/([^"]+)"', html
    )
    assert linked == ICONS
    for name in ICONS:
        assert finders.find(name), name
    manifest = json.loads(Path(finders.find("icons/site.webmanifest")).read_text())
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512", "any"}
    for icon in manifest["icons"]:
        assert finders.find(f"icons/{icon['src']}"), icon["src"]


def test_long_words_hyphenate_rather_than_break_anywhere() -> None:
    css = Path(finders.find("css/bollplank.css")).read_text(encoding="utf-8")
    body = css[css.index("body {") : css.index("}", css.index("body {"))]
    assert "hyphens: auto" in body
    assert "overflow-wrap: break-word" in body


def test_pages_outside_a_practice_show_log_out_and_no_practice_menu_to_a_non_member(
    world: Any,
) -> None:
    c = Client()
    c.force_login(f.UserFactory())
    html = c.get(reverse("my_data")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "Logga ut" in header
    assert "primary-nav" not in header and "Meny" not in header


def test_pages_outside_a_practice_show_the_menu_of_the_persons_only_practice(world: Any) -> None:
    c = Client()
    c.force_login(world.supervisor)
    html = c.get(reverse("my_data")).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "primary-nav" in header and "Meny" in header
    assert "Logga ut" in header[header.index('<div class="account-panel">') :]
