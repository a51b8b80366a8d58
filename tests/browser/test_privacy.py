"""A person's own pages from issue 10 in a real browser, axe on each: where I am logged in,
my data (the download), and the admin's retention rules (bad input keeps what was typed) and
record of processing — on a phone for the participant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import MOBILE, axe_check, guard_of, login, visit

pytestmark = pytest.mark.browser


def test_participant_sees_sessions_and_downloads_own_data(new_page, world):
    page: Page = new_page(MOBILE)
    login(page, world.participant_user.email)
    visit(page, "/accounts/sessions/")
    visit(page, "/my-data/")
    with page.expect_download() as info:
        page.click("button[value=json]")
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    # A download ends its request as "aborted" in Chromium: that one is not a broken asset.
    guard = guard_of(page)
    guard.broken_assets[:] = [a for a in guard.broken_assets if not a.endswith("/my-data/")]
    assert data["person"]["email"] == world.participant_user.email
    axe_check(page)


def test_admin_sets_retention_and_reads_the_processing_record(page, world):
    login(page, world.admin.email)
    visit(page, "/p/ekbacken/privacy/retention/")
    page.fill("input[name='records.journal']", "0")
    page.fill("input[name='records.notes']", "730")
    with page.expect_navigation():
        page.click("button.primary")
    axe_check(page)
    assert page.input_value("input[name='records.notes']") == "730"
    assert page.locator(".error-summary").count() == 1
    page.fill("input[name='records.journal']", "90")
    with page.expect_navigation():
        page.click("button.primary")
    axe_check(page)
    assert "Gallringsreglerna är sparade" in page.content()
    visit(page, "/p/ekbacken/privacy/processing/")
    assert "730 dagar" in page.content()


def test_admin_erases_a_person_after_the_preview(page, world):
    """From the retention page to an erased person: find by address, read the dry run, type a
    wrong address (nothing happens), then the right one; axe on every step."""
    login(page, world.admin.email)
    visit(page, "/p/ekbacken/privacy/retention/")
    with page.expect_navigation():
        page.click("text=Radera en person")
    axe_check(page)
    page.fill("input[name=email]", "pia@solbacka.se")
    with page.expect_navigation():
        page.click("button.primary")
    axe_check(page)
    assert "Radera pia@solbacka.se" in page.content()
    assert "Utvärderingssvar" in page.content()
    page.fill("input[name=email]", "otto@solbacka.se")
    with page.expect_navigation():
        page.click("button.danger")
    axe_check(page)
    assert "Ingenting raderades" in page.content()
    page.fill("input[name=email]", "pia@solbacka.se")
    with page.expect_navigation():
        page.click("button.danger")
    axe_check(page)
    assert "pia@solbacka.se är raderad" in page.content()
