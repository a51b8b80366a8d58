"""Playwright in Debian's Chromium against pytest-django's live server, with axe-core on every page.

Every page a test opens must be checked with ``axe_check`` before the test leaves it: the page
fixture records each document the browser navigates to and fails the test on teardown if one
was left unchecked. It also fails on JavaScript errors, on dialogs (``alert(…)`` from injected
script), on failed requests for our own assets, and on any request that leaves the live server
(the app must not load external assets).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django's ORM refuses to
# run in a thread with a running loop unless told that this is fine (it is: the loop is idle
# while our code runs).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    Page,
    ViewportSize,
    sync_playwright,
)

from tests.factories import PASSWORD  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Nothing a page asks for can leave the machine: every host name but the local ones fails
    # to resolve. (The page guard records such a request; the browser never sends it.)
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's Chromium is missing: sudo apt-get install chromium")
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in {ROOT}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@dataclass
class PageGuard:
    """What went wrong in one page while the test was not looking."""

    unchecked: str | None = None
    left_unchecked: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    broken_assets: list[str] = field(default_factory=list)
    # Besides the live server: addresses a test lets the page reach (a stand-in identity
    # provider or video server on 127.0.0.1).
    let_through: list[str] = field(default_factory=list)

    def navigated(self, url: str) -> None:
        if self.unchecked is not None and _without_fragment(self.unchecked) != _without_fragment(
            url
        ):
            self.left_unchecked.append(self.unchecked)
        self.unchecked = url

    def problems(self) -> list[str]:
        found = []
        if self.unchecked is not None:
            self.left_unchecked.append(self.unchecked)
        if self.left_unchecked:
            found.append(f"pages left without an axe check: {self.left_unchecked}")
        if self.js_errors:
            found.append(f"JavaScript errors: {self.js_errors}")
        if self.dialogs:
            found.append(f"dialogs opened (injected script ran?): {self.dialogs}")
        if self.external:
            found.append(f"requests outside the site (no external assets allowed): {self.external}")
        if self.broken_assets:
            found.append(f"assets that failed to load: {self.broken_assets}")
        return found


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


GUARDS: dict[int, PageGuard] = {}


def guard_of(page: Page) -> PageGuard:
    return GUARDS[id(page)]


def let_through(page: Page, address: str) -> None:
    """Let ``page`` reach ``address`` (a stand-in server of a test) as well as the site."""
    guard_of(page).let_through.append(address.rstrip("/") + "/")


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (its own cookies: one person per context)."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(viewport: ViewportSize | None = None) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="sv-SE",
            timezone_id="Europe/Stockholm",
            viewport=viewport or DESKTOP,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        guard = PageGuard()

        # Watched, not intercepted: a route on every request would pass each one through this
        # process and turn the browser's cache off, so every page would fetch every style
        # sheet, script and font again.
        def on_request(request: Any) -> None:
            url = request.url
            if not url.startswith(
                (live_server.url + "/", "data:", "blob:", "about:", *guard.let_through)
            ):
                guard.external.append(url)

        context.on("request", on_request)
        page = context.new_page()
        GUARDS[id(page)] = guard
        pages.append(page)

        def on_dialog(dialog: Any) -> None:
            guard.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        def on_response(response: Any) -> None:
            if "/static/" in response.url and response.status >= 400:
                guard.broken_assets.append(f"{response.status} {response.url}")

        def on_navigated(frame: Any) -> None:
            if frame == page.main_frame:
                guard.navigated(frame.url)

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: guard.js_errors.append(str(exc)))
        # What the Content-Security-Policy refused (inline script or style) counts as an error.
        page.on(
            "console",
            lambda m: (
                guard.js_errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )
        page.on("response", on_response)
        page.on(
            "requestfailed",
            lambda r: (
                guard.broken_assets.append(f"failed {r.url}")
                # A request the browser dropped because the page moved on is not a broken
                # asset (an icon still loading when the next link is followed).
                if r.url.startswith(live_server.url) and r.failure != "net::ERR_ABORTED"
                else None
            ),
        )
        page.on("framenavigated", on_navigated)
        return page

    yield make

    problems = []
    for page in pages:
        guard = GUARDS.pop(id(page))
        problems += guard.problems()
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


# What axe found nothing in, this run: the document as the browser holds it (its CSRF tokens,
# different in every rendering, left out), the window's size and where it is scrolled to. axe's
# result depends on nothing else, so the same document checked again (a login page, a start
# page after every sign-in) is not checked twice.
AXE_PASSED: set[str] = set()
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def _axe_key(page: Page) -> str:
    *window, html = page.evaluate(
        "() => [innerWidth, innerHeight, scrollX, scrollY, document.documentElement.outerHTML]"
    )
    document = CSRF_VALUE.sub(r'\1"', html)
    return hashlib.sha256(f"{window}\n{document}".encode()).hexdigest()


def axe_check(page: Page) -> None:
    """Run axe-core (WCAG 2.1 A and AA) on the page as it is now; fail on any violation."""
    page.wait_for_load_state("load")
    guard = GUARDS.get(id(page))
    key = _axe_key(page)
    if key in AXE_PASSED:
        _checked(page, guard)
        return
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # From the site's own static files: the Content-Security-Policy refuses inline script.
        page.add_script_tag(url="/static/vendor/axe/axe.min.js")
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    _checked(page, guard)
    if result:
        lines = [f"axe found {len(result)} violation(s) on {page.url}:"]
        for violation in result:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:10]:
                lines.append(f"    {node['target']}: {node['summary']}")
        pytest.fail("\n".join(lines))
    AXE_PASSED.add(key)


def _checked(page: Page, guard: PageGuard | None) -> None:
    if guard is not None and _without_fragment(guard.unchecked or "") == _without_fragment(
        page.url
    ):
        guard.unchecked = None


def visit(page: Page, path: str) -> Any:
    """Go to ``path`` and check it with axe; returns the response."""
    response = page.goto(path)
    axe_check(page)
    return response


def login(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real allauth form, as a person would."""
    visit(page, "/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    assert "/accounts/login/" not in page.url, f"login failed for {email}: {page.url}"
    axe_check(page)


def path_of(url: str) -> str:
    """The path and query of ``url``: no origin, no fragment."""
    return re.sub(r"^https?://[^/]+", "", _without_fragment(url))
