"""The main menu (templates/_navigation.html), rendered once per worker for each practice,
set of roles and language: each person still sees the menu of their own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(user: Any, slug: str = "ekbacken", language: str = "sv") -> str:
    c = Client(headers={"accept-language": language})
    c.force_login(user)
    page = c.get(reverse("dashboard", args=[slug]))
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index("<nav") : html.index("</nav>")]


def test_each_role_language_and_practice_has_its_own_menu(world: Any, settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    admin = _menu(world.admin)
    supervisor = _menu(world.supervisor)
    # The admin's own links; the supervisor's own.
    assert reverse("audit_log", args=["ekbacken"]) in admin
    assert "Händelselogg" in admin
    assert reverse("audit_log", args=["ekbacken"]) not in supervisor
    assert reverse("notes_search", args=["ekbacken"]) in supervisor
    assert reverse("notes_search", args=["ekbacken"]) not in admin
    # Rendered once, the same menu comes back for the same roles.
    assert _menu(world.other_supervisor) == supervisor
    # Another language, another menu.
    english = _menu(world.supervisor, language="en")
    assert "My notes" in english
    assert "Mina anteckningar" in supervisor
    # Another practice: links into that practice.
    foreign = _menu(world.foreign_supervisor, slug="annan")
    assert reverse("notes_search", args=["annan"]) in foreign
    assert "/p/ekbacken/" not in foreign
