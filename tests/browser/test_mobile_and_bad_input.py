"""A phone-sized screen, and bad input typed into a form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.clients.models import Client
from tests import factories as f
from tests import timecontrol as tc
from tests.browser.conftest import MOBILE, axe_check, guard_of, login, visit

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_pages_fit_a_phone(world: Any, new_page: Callable[..., Page]) -> None:
    with scopes_disabled():
        ahead = f.MeetingFactory(
            engagement=world.engagement, starts_at=tc.local(tc.workday_after(7), 13)
        )
    page = new_page(viewport=MOBILE)
    login(page, world.supervisor.email)
    paths = [
        "/p/ekbacken/",
        f"/p/ekbacken/meetings/{world.meeting.pk}/",
        f"/p/ekbacken/engagements/{world.engagement.pk}/",
        "/p/ekbacken/calendar/week/?date=2026-03-10",
    ]
    for path in paths:
        visit(page, path)
        assert page.evaluate("() => window.innerWidth") == MOBILE["width"]
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways: {width} px wide"
    # The meeting pages' forms are there and usable on the small screen: a meeting ahead can
    # be moved, one held has its attendance recorded (and is never moved).
    visit(page, f"/p/ekbacken/meetings/{ahead.pk}/")
    expect(page.locator("form[action$='/move/'] button")).to_be_visible()
    visit(page, f"/p/ekbacken/meetings/{world.meeting.pk}/")
    expect(page.locator("form[action$='/attendance/'] button")).to_be_visible()
    expect(page.locator("form[action$='/move/']")).to_have_count(0)


def test_protected_room_pages_fit_a_phone(world: Any, new_page: Callable[..., Page]) -> None:
    from bollplank.core.audit import audit

    # Long action names in the audit log must wrap or scroll by keyboard, never trap anyone.
    for _ in range(3):
        audit(world.supervisor, "records.note.read", world.engagement, subjects=[world.admin.pk])
    page = new_page(viewport=MOBILE)
    login(page, world.admin.email)
    for path in ("/p/ekbacken/audit/", "/p/ekbacken/my-access-log/"):
        visit(page, path)  # axe runs on each, at phone width
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} scrolls sideways"


MISSION = ("Verksamhetsuppdraget: undervisning och lärande för varje elev. " * 20_000)[:1_000_000]
SCRIPT = "<script>alert(1)</script>"


def test_client_form_keeps_bad_input_and_explains(world: Any, page: Page) -> None:
    login(page, world.supervisor.email)
    visit(page, "/p/ekbacken/clients/new/")
    with scopes_disabled():
        before = Client.objects.count()

    page.fill("#id_name", SCRIPT)
    page.fill("#id_org_number", "212000-0143")  # wrong check digit
    page.select_option("#id_sector", "school")
    # A browser keeps pasted text within the field's maxlength; a script or an old browser
    # does not, so take the limit away and let the server deal with a full megabyte.
    page.eval_on_selector("#id_mission", "el => el.removeAttribute('maxlength')")
    page.fill("#id_mission", MISSION)
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)

    # A clear message in Swedish, at the top and at each field.
    expect(page.locator(".error-summary[role=alert]")).to_contain_text(
        "Rätta de markerade fälten. Det du har skrivit finns kvar."
    )
    expect(page.locator("#id_org_number_error")).to_contain_text(
        "inte ett giltigt svenskt organisationsnummer"
    )
    expect(page.locator("#id_mission_error")).to_contain_text("20000")
    expect(page.locator("#id_mission_error")).to_contain_text("1000000")
    # Everything typed is still there, and the script is text, never run.
    expect(page.locator("#id_name")).to_have_value(SCRIPT)
    expect(page.locator("#id_org_number")).to_have_value("212000-0143")
    assert page.eval_on_selector("#id_mission", "el => el.value.length") == len(MISSION)
    assert not page.evaluate(
        "() => [...document.scripts].some(s => s.textContent.includes('alert(1)'))"
    )
    assert guard_of(page).dialogs == []
    with scopes_disabled():
        assert Client.objects.count() == before

    # Corrected, it is saved, and the name is shown as the text that was typed.
    page.fill("#id_org_number", "212000-0142")
    page.fill("#id_mission", "Undervisning och lärande.")
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)
    expect(page.locator("h1")).to_have_text(SCRIPT)
    with scopes_disabled():
        assert Client.objects.filter(name=SCRIPT, org_number="212000-0142").exists()
