"""The demo firm in a real browser: what each role's main page looks like, and whether every
page within two clicks of it fits a phone.

1. Screenshots of the main page of each role (admin, supervisor, client contact, participant,
   and the public practice page for a visitor) at 1366×900 and 390×844, compared with the
   reference images in tests/browser/screenshots/ (a share of differing pixels, after a small
   per-channel threshold, within ``MAX_DIFFERING``). With ``BOLLPLANK_UPDATE_SCREENSHOTS=1``
   the references are written anew instead:

       BOLLPLANK_UPDATE_SCREENSHOTS=1 .venv/bin/pytest -p no:xdist tests/browser/test_screens.py

   The pictures are deterministic: a fixed instant and the seeded demo firm, the fonts Debian's
   DejaVu Sans (fonts-dejavu-core; checked with fc-match), animations off and the caret hidden.

2. A crawl: each role logs in on a 390 px wide phone and opens every same-site link reachable
   from the start page within two clicks (GET links only: no logout, no downloads; one page per
   URL pattern, ids and queries aside). No page may scroll sideways and axe-core may find no
   serious or critical violation on any.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import Page, ViewportSize

from bollplank.demo.firm import DEMO_PASSWORD, DEMO_SLUG, demo_load, demo_logins
from tests.browser.conftest import axe_check, guard_of, login, path_of, visit
from tests.marks import sqlite_run_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # A Wednesday morning in term time: the start pages show meetings today and this week.
    pytest.mark.instant("2026-10-14T09:30:00+02:00"),
    # What a page looks like does not depend on the database.
    sqlite_run_only,
]

SHOTS = Path(__file__).resolve().parent / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
WIDE: ViewportSize = {"width": 1366, "height": 900}
# A pixel differs when one of its channels differs by more than this (anti-aliasing noise does
# not count); a picture differs when more than MAX_DIFFERING of its pixels do.
CHANNEL_THRESHOLD = 24
MAX_DIFFERING = 0.02
# The fonts the pictures are drawn in: every generic family the stylesheets name must resolve
# to Debian's DejaVu Sans (fonts-dejavu-core), or the references would not match.
FONT_FAMILIES = ("system-ui", "sans-serif", "Segoe UI", "Roboto")


def _people() -> dict[str, str]:
    """The demo login of each role by a short name: the admin (who also supervises), a
    supervisor who is only that, the first client contact and the first participant."""
    logins = demo_logins()
    by_role: dict[str, str] = {}
    for demo in logins:
        key = {
            "practice admin + supervisor": "admin",
            "supervisor": "supervisor",
            "client contact": "client-contact",
            "participant": "participant",
        }.get(demo.role)
        if key and key not in by_role:
            by_role[key] = demo.email
    assert set(by_role) == {"admin", "supervisor", "client-contact", "participant"}, by_role
    return by_role


def differing_share(reference: Image.Image, actual: Image.Image) -> float:
    """The share of pixels whose colour differs by more than CHANNEL_THRESHOLD in a channel;
    1.0 when the sizes differ."""
    if reference.size != actual.size:
        return 1.0
    diff = ImageChops.difference(reference.convert("RGB"), actual.convert("RGB"))
    # Per channel: 255 where the difference passes the threshold; then any channel counts.
    mask = Image.eval(diff, lambda v: 255 if v > CHANNEL_THRESHOLD else 0).convert("L")
    mask = mask.point(lambda v: 255 if v else 0)
    differing = mask.histogram()[255]
    return differing / (reference.size[0] * reference.size[1])


def _compare(page: Page, name: str, tmp_path: Path) -> str | None:
    """Screenshot the viewport and compare it with the reference; a problem or None."""
    page.evaluate("() => window.scrollTo(0, 0)")
    actual_path = tmp_path / f"{name}.png"
    page.screenshot(path=str(actual_path), animations="disabled", caret="hide")
    reference_path = SHOTS / f"{name}.png"
    if os.environ.get("BOLLPLANK_UPDATE_SCREENSHOTS"):
        SHOTS.mkdir(exist_ok=True)
        with Image.open(actual_path) as shot:
            shot.convert("RGB").save(reference_path, optimize=True)
        return None
    if not reference_path.exists():
        return f"{name}: no reference image {reference_path} (BOLLPLANK_UPDATE_SCREENSHOTS=1)"
    with Image.open(reference_path) as reference, Image.open(actual_path) as actual:
        share = differing_share(reference, actual)
    if share > MAX_DIFFERING:
        return f"{name}: {share:.1%} of the pixels differ from the reference (see {actual_path})"
    return None


def test_differing_share_counts_pixels_past_the_threshold() -> None:
    white = Image.new("RGB", (10, 10), "white")
    faint = white.copy()
    faint.putpixel((0, 0), (250, 250, 250))  # anti-aliasing noise: not a difference
    changed = white.copy()
    for x in range(10):
        changed.putpixel((x, 0), (255, 0, 0))
    assert differing_share(white, white) == 0.0
    assert differing_share(white, faint) == 0.0
    assert differing_share(white, changed) == pytest.approx(0.1)
    assert differing_share(white, Image.new("RGB", (10, 11), "white")) == 1.0


def test_main_page_of_each_role_looks_as_it_did(
    new_page: Callable[..., Page], tmp_path: Path, live_server: Any
) -> None:
    for family in FONT_FAMILIES:
        drawn = subprocess.run(
            ["fc-match", "-f", "%{family}", family], capture_output=True, text=True, check=True
        ).stdout
        assert drawn.startswith("DejaVu Sans"), f"{family!r} is drawn in {drawn!r}, not DejaVu Sans"
    demo_load()
    problems: list[str] = []
    page = new_page(WIDE)
    visit(page, f"/om/{DEMO_SLUG}/")
    for viewport, size in ((WIDE, "1366"), (PHONE, "390")):
        page.set_viewport_size(viewport)
        page.reload()
        axe_check(page)
        problems.append(_compare(page, f"public-{size}", tmp_path) or "")
    for name, email in _people().items():
        page = new_page(WIDE)
        login(page, email, DEMO_PASSWORD)
        for viewport, size in ((WIDE, "1366"), (PHONE, "390")):
            page.set_viewport_size(viewport)
            page.reload()
            axe_check(page)
            problems.append(_compare(page, f"{name}-{size}", tmp_path) or "")
    problems = [p for p in problems if p]
    assert not problems, "\n".join(problems)


# --- the crawl --------------------------------------------------------------------------------

# Links that change something on a GET or that download a file rather than show a page.
SKIPPED = re.compile(
    r"/logout/|/static/|/media/|/admin/|\.(csv|pdf|ics|zip|json|xlsx)$"
    r"|/(ics|export|download|pdf|csv|feed\.ics)(/|$)|/api/"
)
LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]'))
    .filter(a => !a.hasAttribute('download'))
    .map(a => a.href)"""


def _pattern(path: str) -> str:
    """One page per URL pattern: ids, dates and the query aside."""
    path = path.split("?", 1)[0]
    return re.sub(r"/[0-9][0-9-]*(?=/|$)", "/N", path)


def _same_site_links(page: Page, origin: str) -> list[str]:
    found = []
    for href in page.evaluate(LINKS_JS):
        if not href.startswith(origin + "/"):
            continue
        path = path_of(href)
        if SKIPPED.search(path.split("?", 1)[0]):
            continue
        found.append(path)
    return found


def _serious_axe(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    found = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            });
            return r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3)
                    .map(n => n.target.join(' ')).join(', '));
        }"""
    )
    guard_of(page).unchecked = None
    return list(found)


# The elements that stick out past the right edge while their parent does not (the culprits),
# outside any scroll container.
WIDEST_JS = """() => {
    const edge = window.innerWidth + 1;
    const scrolls = e => {
        for (let p = e.parentElement; p; p = p.parentElement) {
            const o = getComputedStyle(p).overflowX;
            if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
        }
        return false;
    };
    return Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > edge && !scrolls(e)
            && !(e.parentElement.getBoundingClientRect().right > edge))
        .slice(0, 3)
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
            + (typeof e.className === 'string' && e.className
                ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
}"""


def _check(page: Page, path: str, origin: str | None) -> tuple[list[str], list[str]]:
    """Open ``path`` on the phone: its problems (status, sideways scrolling, axe) and, given
    the origin, its same-site links."""
    try:
        response = page.goto(path, wait_until="load")
    except Exception as exc:  # a download or an aborted navigation: not a page
        guard_of(page).unchecked = None
        return [f"{path}: not opened ({str(exc).splitlines()[0]})"], []
    problems = []
    if response is None or response.status >= 400:
        problems.append(f"{path}: status {response.status if response else 'none'}")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        wide = page.evaluate(WIDEST_JS)
        problems.append(f"{path}: scrolls sideways ({widths[0]} > {widths[1]}): {wide}")
    problems += [f"{path}: axe {v}" for v in _serious_axe(page)]
    return problems, _same_site_links(page, origin) if origin else []


def test_every_page_within_two_clicks_fits_a_phone(
    new_page: Callable[..., Page], live_server: Any
) -> None:
    demo_load()
    origin = live_server.url
    starts: list[tuple[str, str | None]] = [("visitor", None)]
    starts += list(_people().items())
    problems: list[str] = []
    # A practice's pages are checked once per role (each sees its own); the pages outside
    # a practice (the account's, the public ones) once in all.
    seen: set[str] = set()

    def key(name: str, path: str) -> str:
        pattern = _pattern(path)
        return f"{name} {pattern}" if pattern.startswith("/p/") else pattern

    for name, email in starts:
        page = new_page(PHONE)
        if email is None:
            page.goto(f"/om/{DEMO_SLUG}/")
        else:
            login(page, email, DEMO_PASSWORD)
        start = path_of(page.url)
        seen.add(key(name, start))
        found, links = _check(page, start, origin)
        problems += [f"[{name}] {p}" for p in found]
        for click in (1, 2):
            following: list[str] = []
            for link in links:
                if key(name, link) not in seen:
                    seen.add(key(name, link))
                    following.append(link)
            links = []
            for path in following:
                found, more = _check(page, path, origin if click == 1 else None)
                problems += [f"[{name}] {p}" for p in found]
                links += more
    assert len(seen) > 20, f"the crawl reached too few pages: {sorted(seen)}"
    assert not problems, f"{len(problems)} problem(s) in {len(seen)} pages:\n" + "\n".join(problems)
