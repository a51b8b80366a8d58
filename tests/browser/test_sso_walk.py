"""A client organisation's staff member logs in through their organisation's own log-in (a real
OpenID Connect provider on 127.0.0.1), lands on their start page and sees the level of
assurance on "Where I am logged in"; a wrong audience, an expired ID token, a replayed answer
and an unknown person are each refused with their own message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.accounts.identity import identity_provider_save
from bollplank.accounts.identity_models import IdentityProvider
from tests.accounts.oidc_provider import TestProvider
from tests.browser.conftest import axe_check, let_through, visit

pytestmark = pytest.mark.browser

BUTTON = "Logga in med Solbacka skolas inloggning"


@pytest.fixture
def oidc(settings: Any) -> Iterator[TestProvider]:
    settings.SSO_PRIVATE_HOSTS = True  # the test provider is on this machine, over http
    provider = TestProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def solbacka(world: Any, oidc: TestProvider) -> IdentityProvider:
    """Solbacka skola (the world's client) has its own log-in; Pia is one of its staff."""
    oidc.add_person("pia-at-solbacka", email="pia@solbacka.se", email_verified=True)
    with scopes_disabled():
        return identity_provider_save(
            actor=world.admin,
            practice=world.practice,
            name="Solbacka skolas inloggning",
            client=world.client,
            server_url=oidc.issuer,
            client_id=oidc.client.client_id,
            secret=oidc.client.client_secret,
            required_for=[],
        )


def _open_browser_to(page: Page, oidc: TestProvider) -> list[str]:
    """Let the browser reach the test provider (the page guard fails a test on any request that
    leaves the site); the callback addresses it is sent back to are collected."""
    callbacks: list[str] = []
    let_through(page, oidc.issuer)
    page.on(
        "request",
        lambda request: (
            callbacks.append(request.url) if "/login/callback/" in request.url else None
        ),
    )
    return callbacks


def _press_button(page: Page) -> None:
    """From the log-in page through "Log in through your organisation" and the person's
    address to the button."""
    visit(page, "/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Logga in via din organisation").click()
    axe_check(page)
    page.fill("#id_practice", "ekbacken")
    with page.expect_navigation():
        page.get_by_role("button", name="Fortsätt").click()
    axe_check(page)
    # The page names no practice and no client until the person gives their address.
    expect(page.get_by_role("button", name=BUTTON)).to_have_count(0)
    page.fill("#id_email", "pia@solbacka.se")
    with page.expect_navigation():
        page.get_by_role("button", name="Fortsätt").click()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name=BUTTON).click()
    page.wait_for_load_state("load")


def _refused(page: Page, text: str) -> None:
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Du kunde inte logga in")
    expect(page.locator("#sign-in-refused")).to_contain_text(text)


def test_client_staff_logs_in_through_their_organisation(
    world: Any, solbacka: IdentityProvider, oidc: TestProvider, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    callbacks = _open_browser_to(page, oidc)
    oidc.auto_subject = "pia-at-solbacka"
    _press_button(page)
    page.wait_for_url("**/p/ekbacken/me/")
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Mina träffar")

    visit(page, "/accounts/sessions/")
    expect(page.locator("main table")).to_contain_text(
        "Solbacka skolas inloggning: tillitsnivå Hög (BankID) (bankid)"
    )

    # The answer that signed her in, sent again after she logged out, signs nobody in.
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    axe_check(page)
    page.goto(callbacks[-1])
    _refused(page, "Inloggningen har redan använts")
    visit(page, "/p/ekbacken/me/")
    assert "/accounts/login/" in page.url


def test_refusals_each_say_why(
    world: Any, solbacka: IdentityProvider, oidc: TestProvider, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    _open_browser_to(page, oidc)

    oidc.auto_subject = "someone-else"  # the provider knows nothing but a subject
    _press_button(page)
    _refused(page, "Vi hittar inget konto i Bollplank för dig hos Ekbacken handledning")

    oidc.auto_subject = "pia-at-solbacka"
    oidc.audience = "another-service"
    _press_button(page)
    _refused(page, "Inloggningen utfärdades för en annan tjänst än Bollplank")

    oidc.audience = None
    oidc.token_lifetime = -120
    _press_button(page)
    _refused(page, "Inloggningen från din organisation hade gått ut")

    visit(page, "/p/ekbacken/me/")
    assert "/accounts/login/" in page.url
