"""The demo firm as `make run` shows it: the supervisor's start page with a year of data.

Also takes the screenshot for the README. It goes to a temporary folder on every run; with
``BOLLPLANK_SCREENSHOT=1`` it replaces docs/screenshot.png:

    BOLLPLANK_SCREENSHOT=1 .venv/bin/pytest tests/browser/test_demo_dashboard.py -p no:xdist
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bollplank.demo.firm import DEMO_PASSWORD, DEMO_SLUG, demo_load
from tests.browser.conftest import ROOT, login, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPERVISOR = "karin@ekbacken.example"


def test_demo_dashboard_and_screenshot(page: Page, tmp_path: Path, live_server: Any) -> None:
    demo_load()
    login(page, SUPERVISOR, DEMO_PASSWORD)
    assert page.url == f"{live_server.url}/p/{DEMO_SLUG}/"
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Hej Karin Ekholm")
    rows = page.locator("section[aria-labelledby=eng-h] tbody tr")
    assert rows.count() >= 2, "the demo supervisor runs several engagements"
    page.evaluate("() => window.scrollTo(0, 0)")

    target = (
        ROOT / "docs" / "screenshot.png"
        if os.environ.get("BOLLPLANK_SCREENSHOT")
        else tmp_path / "screenshot.png"
    )
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000

    # The busiest pages of the demo, full of real data, pass axe too.
    visit(page, f"/p/{DEMO_SLUG}/calendar/month/")
    visit(page, f"/p/{DEMO_SLUG}/engagements/")
