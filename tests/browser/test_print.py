"""Printed pages: a meeting's agenda and an engagement's report print as their content only —
no menus, buttons or messages — in a PDF made by the browser's own print (Chromium)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests import factories as f
from tests import timecontrol as tc
from tests.browser.conftest import login, visit
from tests.pdftext import pdf_text

pytestmark = pytest.mark.browser

SCREEN_ONLY = ".site-header, .site-footer, .messages, main button, main .button"


def _printed(page: Page) -> str:
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
            .every(el => getComputedStyle(el).display === 'none'
                         || el.closest('.site-header, .site-footer, .messages') !== null)""",
        SCREEN_ONLY,
    )
    assert hidden, "a menu, button or message shows on paper"
    assert page.locator("main h1").is_visible()
    return pdf_text(page.pdf(format="A4"))


def test_a_meeting_agenda_prints_without_menus_or_buttons(
    world: Any, new_page: Callable[..., Page]
) -> None:
    meeting = f.MeetingFactory(
        engagement=world.engagement, starts_at=tc.local(tc.workday_after(7), 9)
    )
    page = new_page()
    login(page, world.supervisor.email)
    visit(page, f"/p/ekbacken/meetings/{meeting.pk}/")
    on_screen = page.locator("body").inner_text()
    assert "Min dag" in on_screen  # the menu is there on the screen

    text = _printed(page)

    assert world.engagement.title in text
    assert "09:00" in text
    for screen_only in ("Min dag", "Kalender", "Tillgänglighetsredogörelse", "Ställ in träffen"):
        assert screen_only not in text, screen_only


def test_an_engagement_report_prints_without_menus(
    world: Any, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    login(page, world.supervisor.email)
    visit(page, f"/p/ekbacken/evaluations/engagements/{world.engagement.pk}/report/")
    heading = page.locator("main h1").inner_text()

    text = _printed(page)

    assert heading.split("–")[0].strip() in text
    assert "Min dag" not in text and "Tillgänglighetsredogörelse" not in text
