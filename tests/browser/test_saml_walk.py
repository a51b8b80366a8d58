"""A client organisation's staff member signs in through their organisation's SAML identity
provider (the tests' pysaml2 IdP on 127.0.0.1), and the four ways such a sign-in is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Page, expect

from bollplank.accounts.identity_models import IdentityProvider
from tests.accounts.saml_harness import client_saml_provider, idp_running
from tests.accounts.saml_idp import ELSEWHERE, SamlIdP
from tests.browser.conftest import AXE_JS, axe_check, let_through, login, visit
from tests.conftest import World

pytestmark = pytest.mark.browser


@pytest.fixture
def idp(settings: Any) -> Iterator[SamlIdP]:
    # The hand-off page waits for its button, so that axe checks it like every other page.
    with idp_running(settings, autosubmit=False) as running:
        yield running


@pytest.fixture
def provider(world: World, idp: SamlIdP) -> IdentityProvider:
    return client_saml_provider(world, idp, verifies_email=True, name="Solbacka skolas inloggning")


def axe_check_at_idp(page: Page) -> None:
    """axe on one of the IdP's pages: the site's copy of axe is not there, so it comes inline."""
    page.add_script_tag(path=str(AXE_JS))
    axe_check(page)


def sign_in_at_idp(page: Page, idp: SamlIdP, email: str, *, from_login_page: bool = False) -> None:
    """From Bollplank's log-in page through the IdP's form and back, as a person does."""
    # The IdP is outside the live server, which the page guard otherwise counts as a failure.
    let_through(page, idp.url)
    if from_login_page:
        visit(page, "/accounts/login/")
        with page.expect_navigation():
            page.get_by_role("link", name="Logga in via din organisation").click()
        axe_check(page)
        page.get_by_label("Verksamhetens kortnamn").fill("ekbacken")
        with page.expect_navigation():
            page.locator("main form button.primary").click()
        axe_check(page)
    else:
        visit(page, "/accounts/organisation/ekbacken/")
    # The page shows the organisation's button only for an address of its people's domain.
    page.get_by_label("Din e-postadress").fill(email)
    with page.expect_navigation():
        page.locator("main form button.primary").click()
    axe_check(page)
    with page.expect_navigation(url=f"{idp.sso_url}?**"):
        page.get_by_role("button", name="Logga in med Solbacka skolas inloggning").click()
    axe_check_at_idp(page)
    page.fill("#email", email)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    axe_check_at_idp(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Fortsätt").click()
    axe_check(page)


def test_client_staff_member_signs_in_through_saml_and_lands_on_their_start_page(
    world: World, idp: SamlIdP, provider: IdentityProvider, page: Page
) -> None:
    sign_in_at_idp(page, idp, world.contact_user.email, from_login_page=True)

    expect(page).to_have_url(f"{page.url.split('/p/')[0]}/p/ekbacken/client/")
    assert SocialAccount.objects.filter(
        user=world.contact_user, provider=provider.app.provider_id
    ).exists()
    # "Where I am logged in" says how: through the organisation, and at which assurance.
    visit(page, "/accounts/sessions/")
    expect(page.locator("main")).to_contain_text("Solbacka skolas inloggning")
    expect(page.locator("main")).to_contain_text("Hög (BankID)")


@pytest.mark.parametrize(
    ("knob", "message"),
    [
        ("unknown", "Vi hittar inget konto i Bollplank för dig hos Ekbacken handledning"),
        ("audience", "Inloggningen utfärdades för en annan tjänst än Bollplank"),
        ("expired", "Inloggningen från din organisation hade gått ut"),
    ],
)
def test_saml_refusals_say_why_and_sign_nobody_in(
    world: World,
    idp: SamlIdP,
    provider: IdentityProvider,
    page: Page,
    knob: str,
    message: str,
) -> None:
    email = world.contact_user.email
    if knob == "unknown":
        email = "okand@solbacka.se"
    elif knob == "audience":
        idp.audience = ELSEWHERE
    elif knob == "expired":
        idp.expired = True

    sign_in_at_idp(page, idp, email)

    expect(page.locator("#sign-in-refused")).to_contain_text(message)
    visit(page, "/")
    assert "/accounts/login/" in page.url


def test_a_replayed_saml_response_is_refused(
    world: World, idp: SamlIdP, provider: IdentityProvider, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    sign_in_at_idp(page, idp, world.contact_user.email)
    assert "/p/ekbacken/client/" in page.url
    posted = idp.last_post
    assert posted is not None
    # Someone who copied the response posts it from another browser.
    thief = new_page()
    visit(thief, "/accounts/login/")
    thief.evaluate(
        """([action, response, relay]) => {
            const form = document.createElement('form');
            form.method = 'post';
            form.action = action;
            for (const [name, value] of [['SAMLResponse', response], ['RelayState', relay]]) {
                const input = document.createElement('input');
                input.type = 'hidden'; input.name = name; input.value = value;
                form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
        }""",
        [posted.acs_url, posted.saml_response, posted.relay_state],
    )
    thief.wait_for_selector("#sign-in-refused")
    axe_check(thief)

    expect(thief.locator("#sign-in-refused")).to_contain_text("Inloggningen har redan använts")
    visit(thief, "/")
    assert "/accounts/login/" in thief.url


def test_practice_admin_adds_a_saml_log_in_and_reads_what_to_give_the_idp(
    world: World, idp: SamlIdP, page: Page
) -> None:
    login(page, world.admin.email)
    visit(page, "/p/ekbacken/settings/log-in/")
    with page.expect_navigation():
        page.get_by_role("link", name="Lägg till en SAML 2.0-inloggning").click()
    axe_check(page)
    page.get_by_label("Namn på knappen").fill("Solbacka skolas inloggning")
    page.get_by_label("Inloggningstjänstens entitets-id").fill(idp.entity_id)
    page.get_by_label("Metadataadress").fill(idp.metadata_url)
    page.get_by_label("Inloggningstjänsten bekräftar e-postadresser").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Spara").click()
    axe_check(page)

    addresses = page.locator("#saml-service-addresses")
    expect(addresses).to_contain_text("/accounts/saml/org-")
    expect(addresses).to_contain_text("/acs/")
    expect(addresses).to_contain_text("/metadata/")
