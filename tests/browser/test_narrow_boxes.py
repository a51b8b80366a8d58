"""Text and form fields in narrow boxes, measured in the browser: a table's caption on a phone,
a select in a card, an answer scale's row, long Swedish words and ISO dates in headings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, ViewportSize, expect

from tests.browser.conftest import login, visit

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
