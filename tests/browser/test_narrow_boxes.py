"""Text and form fields in narrow boxes, measured in the browser: a table's caption on a phone,
a select in a card, an answer scale's row, long Swedish words and ISO dates in headings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Locator, Page, ViewportSize, expect

from bollplank.demo.firm import demo_load
from bollplank.evaluations import services
from bollplank.evaluations.models import Invitation
from tests.browser.conftest import axe_check, login, visit
from tests.courses.conftest import make_course, register
from tests.evaluations.helpers import after_meeting

pytestmark = pytest.mark.browser

PHONE: ViewportSize = {"width": 390, "height": 844}
NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
# How many lines the first occurrence of a text inside an element is laid out on: a word or a
# date broken across lines has a box on each.
LINES_OF = """([element, text]) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.data.indexOf(text);
        if (at >= 0) {
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        }
    }
    return -1;
}"""


def _lines_of(locator: Locator, text: str) -> int:
    return int(locator.evaluate(f"(el, text) => ({LINES_OF})([el, text])", text))


def test_a_responsive_tables_caption_takes_the_full_width_on_a_phone(
    world: Any, new_page: Callable[..., Page]
) -> None:
    page = new_page(viewport=PHONE)
    login(page, world.contact_user.email)

    visit(page, "/p/ekbacken/evaluations/report/")

    caption = page.locator("table.responsive caption").first
    expect(caption).to_contain_text("Resultat (siffror visas bara där minst 5 har svarat)")
    caption_box = caption.bounding_box()
    table_box = page.locator("table.responsive").first.bounding_box()
    assert caption_box is not None and table_box is not None
    # Squeezed, the caption stood one word a line in a column some 65 px wide.
    assert caption_box["width"] == pytest.approx(table_box["width"], abs=1)
    assert _lines_of(caption, "Resultat (siffror visas bara") == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_decision_select_stays_inside_its_card_on_a_phone(
    world: Any, new_page: Callable[..., Page]
) -> None:
    with scopes_disabled():
        # A client with a long name makes the select as wide as the name.
        world.client.name = "Socialförvaltningen i Ekby kommun, individ- och familjeomsorgen"
        world.client.save()
    course = make_course(world.practice, days_ahead=10, leader=world.supervisor)
    register(course, name="Cilla Ceder", organization="Region Uppsala", org_number="232100-0024")
    page = new_page(viewport=PHONE)
    login(page, world.admin.email)

    visit(page, "/p/ekbacken/billing/run/")

    card = page.locator("#registration-" + _only_registration_pk())
    select = card.get_by_label("Uppdragsgivare")
    select.select_option(label=world.client.name)
    select_box, card_box = select.bounding_box(), card.bounding_box()
    assert select_box is not None and card_box is not None
    assert select_box["x"] + select_box["width"] <= card_box["x"] + card_box["width"]
    # Styled as the other form fields: the page's font size and the fields' padding.
    style = select.evaluate(
        "el => { const s = getComputedStyle(el); return [s.fontSize, s.paddingLeft]; }"
    )
    assert style == ["16px", "8px"]
    wrap_fits = "el => el.scrollWidth <= el.clientWidth"
    assert page.locator("#unmatched-h ~ .table-wrap").evaluate(wrap_fits)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def _only_registration_pk() -> str:
    from bollplank.courses.models import Registration

    with scopes_disabled():
        return str(Registration.objects.get().pk)


def test_week_calendars_supervisor_filter_is_styled_as_a_form_field(world: Any, page: Page) -> None:
    login(page, world.admin.email)

    visit(page, "/p/ekbacken/calendar/week/")

    select = page.get_by_label("Handledare")
    style = select.evaluate(
        "el => { const s = getComputedStyle(el); "
        "return [s.fontSize, s.paddingTop, s.borderTopWidth, s.borderRadius]; }"
    )
    assert style == ["16px", "8px", "1px", "4px"]
    select.select_option(label=world.supervisor.name)
    with page.expect_navigation():
        page.get_by_role("button", name="Visa").click()
    axe_check(page)
    expect(page.get_by_label("Handledare")).to_have_value(str(world.supervisor.pk))


def _answer_link(world: Any) -> str:
    rnd = after_meeting(world)
    with scopes_disabled():
        invitation = Invitation.objects.filter(round=rnd).order_by("pk").first()
    assert invitation is not None
    return f"/e/{services.invitation_token(invitation)}/"


def _rows(fieldset: Locator) -> list[int]:
    """How many choices stand on each row of the scale, top to bottom."""
    tops = fieldset.locator("label.scale-option").evaluate_all(
        "els => els.map(el => Math.round(el.getBoundingClientRect().top))"
    )
    return [tops.count(top) for top in sorted(set(tops))]


def test_a_0_to_10_scale_is_one_row_on_a_desktop_and_two_even_rows_on_a_phone(
    world: Any, new_page: Callable[..., Page]
) -> None:
    link = _answer_link(world)
    desk = new_page()
    visit(desk, link)
    scale = desk.locator("fieldset.scale", has=desk.locator("input[value='10']")).first
    expect(scale.get_by_role("radio")).to_have_count(11)

    assert _rows(scale) == [11]
    # The circle and its number do not touch.
    circle = scale.get_by_role("radio", name="7", exact=True).bounding_box()
    number = scale.locator("label.scale-option:has(input[value='7']) > span").bounding_box()
    assert circle is not None and number is not None
    assert number["y"] - (circle["y"] + circle["height"]) >= 2

    # One radio group, used by keyboard, with a visible focus.
    scale.get_by_role("radio", name="0", exact=True).focus()
    desk.keyboard.press("ArrowRight")
    expect(scale.get_by_role("radio", name="1", exact=True)).to_be_focused()
    expect(scale.get_by_role("radio", name="1", exact=True)).to_be_checked()
    focus_style = desk.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert focus_style == "solid"

    phone = new_page(viewport=PHONE)
    visit(phone, link)
    scale = phone.locator("fieldset.scale", has=phone.locator("input[value='10']")).first
    assert _rows(scale) == [6, 5]
    assert phone.evaluate(NO_SIDEWAYS_SCROLL)


@pytest.mark.django_db(transaction=True)
def test_supervisor_cards_keep_long_words_whole_at_desktop_width(
    new_page: Callable[..., Page], live_server: Any
) -> None:
    demo_load()
    page = new_page()

    visit(page, "/om/ekbacken/")

    cards = page.locator(".profile-card")
    expect(cards).to_have_count(3)
    broken = []
    for card in cards.all():
        for dd in card.locator("dd").all():
            for word in dd.inner_text().replace(",", " ").split():
                if len(word) >= 10 and _lines_of(dd, word) > 1:
                    broken.append(word)
    assert broken == []
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_an_iso_date_in_a_heading_never_breaks_at_its_hyphens(
    world: Any, new_page: Callable[..., Page]
) -> None:
    day = timezone.localtime(world.meeting.starts_at).date().isoformat()
    page = new_page(viewport=PHONE)
    login(page, world.supervisor.email)
    visit(page, f"/p/ekbacken/meetings/{world.meeting.pk}/notes/")
    heading = page.locator("h1")
    expect(heading).to_contain_text(day)

    # Every phone width from 320 px up puts a line's end somewhere else in the heading.
    split_at = []
    for width in range(320, 481, 4):
        page.set_viewport_size({"width": width, "height": 844})
        if _lines_of(heading, day) > 1:
            split_at.append(width)
    assert split_at == []
