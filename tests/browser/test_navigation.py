"""The menus by role in a real browser, on a phone (390×844) and a wide screen (1366×900):
opened and walked with the keyboard, no sideways scrolling, axe on every state.

The screenshots go to a temporary folder on every run; with ``BOLLPLANK_SCREENSHOT=1`` they
replace docs/screenshots/after-*.png (the before-*.png there show the old flat menu):

    BOLLPLANK_SCREENSHOT=1 .venv/bin/pytest -p no:xdist tests/browser/test_navigation.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from bollplank.home.menus import MAX_PRIMARY
from tests.browser.conftest import ROOT, axe_check, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
WIDE: ViewportSize = {"width": 1366, "height": 900}


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways on {page.url}: {widths}"


def _focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {href: el.getAttribute('href'), tag: el.tagName,
                    outline: style.outlineStyle, visible: box.width > 0 && box.height > 0};
        }"""
    )


def _tab_through(page: Page, hrefs: list[str]) -> None:
    """Tab from the focused element through ``hrefs``: each takes the focus, in order, and
    shows it."""
    for href in hrefs:
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["href"] == href
        assert focused["visible"], href
        assert focused["outline"] != "none", f"no visible focus on {href}"


def test_menus_by_role_with_keyboard_on_phone_and_wide_screen(
    world: Any, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    shots = ROOT / "docs" / "screenshots" if os.environ.get("BOLLPLANK_SCREENSHOT") else tmp_path
    people = {
        "supervisor": world.supervisor,
        "admin": world.admin,
        "client-contact": world.contact_user,
        "participant": world.participant_user,
    }
    for name, user in people.items():
        page = new_page(WIDE)
        login(page, user.email)
        primary = page.locator("nav.primary-nav a")
        hrefs = [primary.nth(i).get_attribute("href") or "" for i in range(primary.count())]
        assert 0 < len(hrefs) <= MAX_PRIMARY

        # Wide: the primary menu shows in a row without opening anything.
        for i in range(len(hrefs)):
            expect(primary.nth(i)).to_be_visible()
        expect(page.locator("summary.menu-button")).to_be_hidden()
        _no_sideways_scroll(page)
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(shots / f"after-{name}-1366.png"))
        # The account menu opens from the keyboard; Escape closes it and gives the focus back.
        page.locator("details.account-menu > summary").focus()
        page.keyboard.press("Enter")
        account = page.locator("nav.account-nav a")
        expect(account.first).to_be_visible()
        account_hrefs = [account.nth(i).get_attribute("href") or "" for i in range(account.count())]
        assert ("/api-tokens/" in " ".join(account_hrefs)) is (name != "participant")
        _tab_through(page, account_hrefs)
        _no_sideways_scroll(page)
        axe_check(page)
        page.screenshot(path=str(shots / f"after-{name}-1366-account.png"))
        page.keyboard.press("Escape")
        expect(account.first).to_be_hidden()

        # Phone: one Menu button, the list hidden until it is opened.
        page.set_viewport_size(PHONE)
        button = page.locator("summary.menu-button")
        expect(button).to_be_visible()
        expect(primary.first).to_be_hidden()
        _no_sideways_scroll(page)
        axe_check(page)
        page.screenshot(path=str(shots / f"after-{name}-390.png"))
        button.focus()
        page.keyboard.press("Enter")
        _tab_through(page, hrefs)
        _no_sideways_scroll(page)
        axe_check(page)
        page.screenshot(path=str(shots / f"after-{name}-390-menu.png"), full_page=True)
        # The current page is marked.
        current = page.locator("nav.primary-nav a[aria-current=page]")
        expect(current).to_have_count(1)

        if name == "admin":
            # A settings page shows the section's sub-navigation: a row on a wide screen, a
            # button that opens it on a phone.
            visit(page, "/p/ekbacken/audit/")
            section = page.locator("nav.section-nav a")
            expect(section.first).to_be_hidden()
            page.locator("details.section-menu > summary").focus()
            page.keyboard.press("Enter")
            expect(section.first).to_be_visible()
            expect(page.locator("nav.section-nav a[aria-current=page]")).to_have_text(
                "Händelselogg"
            )
            _no_sideways_scroll(page)
            axe_check(page)
            page.set_viewport_size(WIDE)
            page.reload()
            expect(section.first).to_be_visible()
            axe_check(page)
            page.screenshot(path=str(shots / "after-admin-1366-settings.png"))
