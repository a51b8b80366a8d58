"""The page guard itself: a request that leaves the site is recorded (and fails the test that
made it) without ever leaving the machine; an address a test lets through is not recorded."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.browser.conftest import axe_check, guard_of, let_through, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_outside_the_site_is_recorded_and_never_sent(page: Page, live_server: Any):
    visit(page, "/accounts/login/")
    failures: list[str] = []
    page.on("requestfailed", lambda request: failures.append(request.failure or ""))
    with page.expect_event("requestfailed"):
        page.evaluate("() => { new Image().src = 'https://cdn.example.com/track.png'; }")
    # A page's own requests are refused by its Content-Security-Policy first; a navigation is
    # not, and the host name never resolves.
    with pytest.raises(PlaywrightError, match="ERR_NAME_NOT_RESOLVED"):
        page.goto("https://cdn.example.com/")
    guard = guard_of(page)
    assert guard.external == ["https://cdn.example.com/track.png", "https://cdn.example.com/"]
    assert failures == ["csp", "net::ERR_NAME_NOT_RESOLVED"]
    # What the guard found is this test's expected result, not a failure of it.
    guard.external.clear()
    guard.js_errors.clear()
    guard.unchecked = None
    guard.left_unchecked.clear()


def test_an_address_let_through_is_not_recorded(page: Page, live_server: Any):
    visit(page, "/accounts/login/")
    let_through(page, "http://127.0.0.1:9")
    with page.expect_event("requestfailed"):
        page.evaluate("() => { new Image().src = 'http://127.0.0.1:9/x.png'; }")
    axe_check(page)
    assert guard_of(page).external == []
    guard_of(page).js_errors.clear()  # the policy refused the image all the same
