"""The engagement form filled in and sent with the keyboard alone: Tab, typing, arrows, Enter.

Every element that takes focus on the way must show where the focus is, and the skip link
must take the focus past the menus to the page's content.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.engagements.models import Engagement
from tests.browser.conftest import axe_check, login, path_of, visit

pytestmark = pytest.mark.browser

FOCUS_STATE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        name: el.getAttribute('name') || '',
        cls: el.className || '',
        value: 'value' in el ? String(el.value) : '',
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        shadow: style.boxShadow !== 'none',
        // Tab also stops on the calendar button inside a date or time field. It lives in the
        // browser's own shadow DOM, which page CSS cannot style; Chromium rings it itself.
        uaPicker: /^(date|time)$/.test(el.type) && !el.matches(':focus')
            && el.matches(':focus-within'),
        onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
            && box.left < window.innerWidth && box.top < window.innerHeight,
    };
}"""


def focused(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(FOCUS_STATE)
    assert state["onScreen"], f"the focused element is not on screen: {state}"
    assert state["outline"] or state["shadow"] or state["uaPicker"], f"no focus indicator: {state}"
    return state


def tab_to(page: Page, element_id: str, *, limit: int = 25) -> None:
    """Press Tab until the element with ``element_id`` has the focus, checking every stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        stops.append(state["id"] or state["name"] or state["tag"])
        if state["id"] == element_id:
            return
    pytest.fail(f"#{element_id} not reached with Tab; the focus went {stops}")


def choose(page: Page, value: str, *, limit: int = 15) -> None:
    """Pick an option of the focused <select> with the arrow keys."""
    page.keyboard.press("Home")
    for _ in range(limit):
        if focused(page)["value"] == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"option {value!r} not reached with the arrow keys")


def test_engagement_form_with_the_keyboard_only(world: Any, page: Page) -> None:
    login(page, world.supervisor.email)
    visit(page, "/p/ekbacken/engagements/new/")
    expect(page.locator("h1")).to_have_text("Nytt uppdrag")

    # The first Tab stop is the skip link; it shows itself and moves the focus to <main>.
    page.keyboard.press("Tab")
    state = focused(page)
    assert "skip-link" in state["cls"], state
    expect(page.locator("a.skip-link")).to_have_text("Hoppa till innehållet")
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("() => document.activeElement.id") == "main"
    axe_check(page)

    # From <main>, the next stop is the form's first field: the menus are skipped.
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_client"
    choose(page, str(world.client.pk))
    tab_to(page, "id_title")
    page.keyboard.type("Fritidshemmet – tangentbordsgruppen")
    tab_to(page, "id_form")
    choose(page, "group")
    tab_to(page, "id_focus")
    choose(page, "mixed")
    tab_to(page, "id_meetings_ordered")
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    tab_to(page, "id_venue")
    choose(page, "client")
    tab_to(page, "id_venue_address")
    page.keyboard.type("Solbackavägen 1, Uppsala")
    tab_to(page, "id_participants_text")
    page.keyboard.type("Dora Dahl, dora@solbacka.example")
    page.keyboard.press("Enter")  # a new line in the text area
    page.keyboard.type("Erik Ek, erik@solbacka.example")

    # Tab on to the Save button and press Enter.
    for _ in range(5):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["tag"] == "button" and "primary" in state["cls"]:
            break
    else:
        pytest.fail("the Save button was not reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check(page)

    assert path_of(page.url).endswith("/plan/"), page.url
    expect(page.locator(".messages")).to_have_count(1)
    with scopes_disabled():
        engagement = Engagement.objects.get(title="Fritidshemmet – tangentbordsgruppen")
        assert engagement.client == world.client
        assert engagement.supervisor == world.supervisor
        assert (engagement.form, engagement.focus, engagement.venue) == ("group", "mixed", "client")
        assert engagement.meetings_ordered == 8
        assert engagement.meeting_minutes == 120
        assert sorted(m.participant.email for m in engagement.memberships.all()) == [
            "dora@solbacka.example",
            "erik@solbacka.example",
        ]
    assert path_of(page.url) == f"/p/ekbacken/engagements/{engagement.pk}/plan/"
