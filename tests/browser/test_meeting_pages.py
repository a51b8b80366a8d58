"""A meeting's page and a series plan as a supervisor uses them: the attendance a meeting ahead
can take, the way back to the engagement, and the plan's dates at desktop and phone widths."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.meetings.models import Attendance
from tests import factories as f
from tests import timecontrol as tc
from tests.browser.conftest import MOBILE, axe_check, login, visit

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_meeting_ahead_takes_a_late_cancellation_by_keyboard(world: Any, page: Page) -> None:
    day = tc.workday_after(7)
    with scopes_disabled():
        ahead = f.MeetingFactory(
            engagement=world.engagement, starts_at=tc.local(day, 13), ends_at=tc.local(day, 15)
        )
    login(page, world.supervisor.email)
    visit(page, f"/p/ekbacken/meetings/{ahead.pk}/")
    section = page.locator("section[aria-labelledby=att-h]")
    expect(section).to_contain_text("Närvaron registreras när träffen har börjat.")
    expect(section.get_by_label("Närvarande")).to_have_count(0)
    pia = section.get_by_label("Pia Deltagare")
    pia.focus()
    page.keyboard.press("Space")
    expect(pia).to_be_checked()
    with page.expect_navigation():
        section.get_by_role("button", name="Spara sena avbokningar").press("Enter")
    expect(page.get_by_text("Närvaron är sparad.")).to_be_visible()
    axe_check(page)
    expect(section.get_by_label("Pia Deltagare")).to_be_disabled()
    with scopes_disabled():
        saved = list(Attendance.objects.filter(meeting=ahead).values_list("status", flat=True))
    assert saved == ["late_cancelled"]


def test_held_meeting_leads_back_to_its_engagement(world: Any, page: Page) -> None:
    login(page, world.supervisor.email)
    visit(page, f"/p/ekbacken/meetings/{world.meeting.pk}/")
    link = page.locator("dl.facts").get_by_role("link", name=world.engagement.title)
    with page.expect_navigation():
        link.press("Enter")
    assert page.url.endswith(f"/p/ekbacken/engagements/{world.engagement.pk}/")
    axe_check(page)


def test_series_plan_dates_use_the_page_width(world: Any, new_page: Callable[..., Page]) -> None:
    page = new_page()
    login(page, world.supervisor.email)
    visit(page, f"/p/ekbacken/engagements/{world.engagement.pk}/plan/")
    page.get_by_role("button", name="Visa datumen").click()
    page.wait_for_load_state("load")
    axe_check(page)
    rows = page.locator("tr.proposal")
    expect(rows.first).to_be_visible()
    # With the defaults the first date is still ahead, whatever the time of day.
    expect(rows.first).not_to_have_class(re.compile(r"\b(passed|outside)\b"))
    fieldset = page.locator("fieldset.series-params").bounding_box()
    table = page.locator("table.responsive").bounding_box()
    assert fieldset and table and table["width"] > fieldset["width"]
    # "tis 2027-01-12" on one line: one box for the date's text.
    boxes = (
        rows.first.locator("td").nth(1).locator("span").evaluate("s => s.getClientRects().length")
    )
    assert boxes == 1
    # On a phone the same page does not scroll sideways.
    phone = new_page(viewport=MOBILE)
    login(phone, world.supervisor.email)
    visit(phone, f"/p/ekbacken/engagements/{world.engagement.pk}/plan/")
    phone.get_by_role("button", name="Visa datumen").click()
    phone.wait_for_load_state("load")
    axe_check(phone)
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
