"""A client contact adds their organisation's own log-in in the browser, and one of their
staff signs in through it with BankID (the test provider on 127.0.0.1 reports loa3): the
practice requires two-factor login of participants, and she is not asked for it again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from bollplank.accounts.identity_models import IdentityProvider
from tests.accounts.oidc_provider import TestProvider
from tests.browser.conftest import axe_check, let_through, login, visit

pytestmark = pytest.mark.browser


@pytest.fixture
def oidc(settings: Any) -> Iterator[TestProvider]:
    settings.SSO_PRIVATE_HOSTS = True  # the test provider is on this machine, over http
    provider = TestProvider().start()
    yield provider
    provider.stop()


def _contact_adds_the_log_in(page: Page, oidc: TestProvider) -> None:
    login(page, "rut@solbacka.se")
    with page.expect_navigation():
        page.get_by_role("link", name="Vår inloggning").first.click()
    axe_check(page)
    expect(page.locator("main")).to_contain_text("Inga än.")
    with page.expect_navigation():
        page.get_by_role("link", name="Lägg till en OpenID Connect-inloggning").click()
    axe_check(page)
    page.get_by_label("Namn på knappen").fill("Solbackas BankID")
    expect(page.get_by_label("För personalen på")).to_have_value(str(_solbacka_pk(page)))
    page.get_by_label("Utfärdarens adress (issuer)").fill(oidc.issuer)
    page.get_by_label("Klient-id").fill(oidc.client.client_id)
    page.get_by_label("Klienthemlighet").fill(oidc.client.client_secret)
    # A client's log-in can be required of its own staff only: no staff roles are offered.
    expect(page.locator("input[name=required_for]")).to_have_count(2)
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    axe_check(page)
    expect(page.locator("h1")).to_have_text("Solbackas BankID")
    expect(page.locator("main")).to_contain_text("/login/callback/")


def _solbacka_pk(page: Page) -> int:
    from bollplank.clients.models import Client

    with scopes_disabled():
        return Client.objects.get(name="Solbacka skola").pk


def _staff_signs_in(page: Page, oidc: TestProvider) -> None:
    let_through(page, oidc.issuer)
    oidc.auto_subject = "pia-at-solbacka"
    visit(page, "/accounts/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Logga in via din organisation").click()
    axe_check(page)
    page.fill("#id_practice", "ekbacken")
    with page.expect_navigation():
        page.get_by_role("button", name="Fortsätt").click()
    axe_check(page)
    page.fill("#id_email", "pia@solbacka.se")
    with page.expect_navigation():
        page.get_by_role("button", name="Fortsätt").click()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in med Solbackas BankID").click()
    page.wait_for_url("**/p/ekbacken/me/")
    axe_check(page)


def test_contact_adds_a_log_in_and_their_staff_signs_in_without_a_second_code(
    world: Any, oidc: TestProvider, new_page: Callable[..., Page]
) -> None:
    with scopes_disabled():
        world.practice.require_mfa_for_participants = True
        world.practice.save()
    oidc.add_person("pia-at-solbacka", email="pia@solbacka.se", email_verified=True)

    _contact_adds_the_log_in(new_page(), oidc)
    with scopes_disabled():
        provider = IdentityProvider.objects.get()
    assert provider.client == world.client

    pia = new_page()
    _staff_signs_in(pia, oidc)
    # Her start page, not the two-factor set-up the practice requires of a password login.
    expect(pia.locator("h1")).to_have_text("Mina träffar")
    visit(pia, "/p/ekbacken/journal/")
    assert pia.url.endswith("/p/ekbacken/journal/")

    # Her contact sees how she signed in.
    rut = new_page()
    login(rut, "rut@solbacka.se")
    visit(rut, f"/p/ekbacken/client/log-in/{provider.pk}/")
    expect(rut.locator("main table")).to_contain_text("Pia Deltagare")
    expect(rut.locator("main table")).to_contain_text("Hög (BankID) (bankid)")
