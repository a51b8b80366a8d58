"""The login's own pages (allauth's) in a browser, on a wide screen and on a phone: the site's
header with the person's menu, nothing axe objects to, no sideways scrolling, and the form's
inputs as wide as the form's column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import DESKTOP, login, visit

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
# The gap between an input's box and its form's column (0 when the input fills the column).
INPUT_SHORTFALL = """(selector) => {
    const input = document.querySelector(selector);
    const form = input.closest("form");
    const s = getComputedStyle(form);
    const column = form.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    return column - input.getBoundingClientRect().width;
}"""


def _menu_is_there(page: Page, phone: bool) -> None:
    header = page.locator("header.site-header")
    expect(header.locator(".practice-name")).to_have_text("Ekbacken handledning")
    if phone:
        # On a phone the menus are behind the Menu button.
        header.locator("summary.menu-button").click()
    expect(header.locator("nav.primary-nav a").first).to_be_visible()
    expect(header.locator("details.account-menu > summary")).to_contain_text("Siv Handledare")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "390"])
def test_account_pages_have_the_sites_header_and_forms(
    world: Any, new_page: Callable[..., Page], viewport: ViewportSize
) -> None:
    page = new_page(viewport=viewport)
    login(page, world.supervisor.email)
    phone = viewport == PHONE
    for path, heading in (
        ("/accounts/2fa/", "Tvåstegsinloggning"),
        ("/accounts/sessions/", "Var jag är inloggad"),
        ("/accounts/password/reset/", "Återställning av lösenord"),
        ("/accounts/reauthenticate/", "Bekräfta åtkomst"),
    ):
        visit(page, path)  # axe runs on each
        expect(page.locator("main h1")).to_have_text(heading)
        _menu_is_there(page, phone)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways"
    # The sessions table names every column, and no word is broken inside.
    visit(page, "/accounts/sessions/")
    headers = page.locator("table thead th")
    cells = page.locator("table tbody tr").first.locator("td")
    assert headers.count() == cells.count() == 4
    badge = page.locator("table .badge")
    expect(badge).to_have_text("Nuvarande")
    assert (
        page.evaluate("() => document.querySelector('table .badge').getClientRects().length") == 1
    ), "the badge wraps"
    # Labels above full-width inputs, as on every other form of the site.
    for path, field in (
        ("/accounts/password/reset/", "#id_email"),
        ("/accounts/reauthenticate/", "#id_password"),
    ):
        visit(page, path)
        label = page.locator(f"label[for={field[1:]}]").bounding_box()
        box = page.locator(field).bounding_box()
        assert label is not None and box is not None
        assert label["y"] + label["height"] <= box["y"], f"{path}: the label is not above"
        assert abs(page.evaluate(INPUT_SHORTFALL, field)) <= 1, f"{path}: the input is narrow"
