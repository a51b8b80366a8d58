"""The hour-grid calendar in a real browser: on a desktop screen overlapping meetings sit side
by side and a meeting is reached with Tab and opened with Enter; on a phone the week shows as
one day; neither scrolls sideways, and axe finds nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize

from tests import factories as f
from tests import timecontrol as tc
from tests.browser.conftest import axe_check, login, visit

pytestmark = pytest.mark.browser

LAPTOP: ViewportSize = {"width": 1366, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_the_hour_grid_on_a_laptop_and_a_phone(world: Any, new_page: Callable[..., Page]) -> None:
    monday = tc.workday_after(7)
    monday -= dt.timedelta(days=monday.weekday())
    mine = f.MeetingFactory(
        engagement=world.engagement, starts_at=tc.local(monday, 13), ends_at=tc.local(monday, 15)
    )
    others = f.MeetingFactory(
        engagement=world.other_engagement,
        starts_at=tc.local(monday, 14),
        ends_at=tc.local(monday, 15),
    )
    path = f"/p/ekbacken/calendar/week/?date={monday.isoformat()}"

    page = new_page(viewport=LAPTOP)
    login(page, world.admin.email)
    visit(page, path)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    first = page.locator(f"a.hg-meeting[href$='/meetings/{mine.pk}/']")
    second = page.locator(f"a.hg-meeting[href$='/meetings/{others.pk}/']")
    a, b = first.bounding_box(), second.bounding_box()
    assert a and b
    assert a["x"] + a["width"] <= b["x"] + 1  # side by side, not on top of each other
    assert b["y"] > a["y"] + 10  # 14:00 sits below 13:00
    assert a["height"] > b["height"] * 1.5  # two hours against one
    label = first.evaluate("a => a.textContent.replace(a.querySelector('.whose').textContent, '')")
    assert label.startswith("Lärarlaget åk 4–6, måndag ")
    assert label.endswith(", 13:00–15:00, Siv Handledare")
    # What a screen reader announces is that text (Chromium's accessibility tree).
    assert page.get_by_role("link", name=label, exact=True).count() == 1

    # Tab until the meeting has focus, then Enter opens it.
    for _ in range(150):
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement.getAttribute('href')"
        ) == first.get_attribute("href"):
            break
    else:
        pytest.fail("Tab never reached the meeting")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/meetings/{mine.pk}/")
    axe_check(page)

    phone = new_page(viewport=PHONE)
    login(phone, world.admin.email)
    visit(phone, path)
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    assert (
        phone.locator(".hg-day").evaluate_all(
            "days => days.filter(d => getComputedStyle(d).display !== 'none').length"
        )
        == 1
    )
    assert phone.locator(f"a.hg-meeting[href$='/meetings/{mine.pk}/']").is_visible()
    # The other days are a tap away, as day views.
    tuesday = (monday + dt.timedelta(days=1)).isoformat()
    link = phone.locator(f".hg-days a[href*='date={tuesday}']")
    assert link.is_visible()
    with phone.expect_navigation():
        link.click()
    axe_check(phone)
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)
    assert phone.locator(".hg-day").count() == 1


def test_a_client_contact_opens_a_meeting_of_the_calendar_on_the_schedule(
    world: Any, new_page: Callable[..., Page]
) -> None:
    """Her tile opens the page of the engagement's schedule with that meeting on it, by mouse
    in the week and by keyboard in the month; no download, no "no permission"."""
    day = tc.workday_after(7)
    f.MeetingFactory(
        engagement=world.engagement, starts_at=tc.local(day, 13), ends_at=tc.local(day, 15)
    )
    schedule = f"/p/ekbacken/client/engagements/{world.engagement.pk}/schedule/"
    shown = f"{day.isoformat()}</td>"

    page = new_page(viewport=LAPTOP)
    login(page, world.contact_user.email)
    visit(page, f"/p/ekbacken/calendar/week/?date={day.isoformat()}")
    tile = page.locator(f"a.hg-meeting[href='{schedule}']")
    assert tile.count() == 1
    with page.expect_navigation():
        tile.click()
    assert page.url.endswith(schedule)
    assert page.get_by_role("heading", level=1).inner_text() == "Lärarlaget åk 4–6"
    assert shown in page.content()
    assert "Pia Deltagare" not in page.content()
    axe_check(page)

    visit(page, f"/p/ekbacken/calendar/month/?month={day:%Y-%m}")
    line = page.locator(f"table.month a.meeting[href='{schedule}']")
    assert line.count() == 1
    line.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(schedule)
    assert shown in page.content()
    axe_check(page)
