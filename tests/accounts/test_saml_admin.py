"""The practice admin's page for a SAML 2.0 log-in, and what it gives the IdP's administrator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from bollplank.accounts.enums import IdentityProviderKind
from bollplank.accounts.identity_models import IdentityProvider
from tests.accounts.saml_harness import idp_running, idp_sign_in, post_to_acs, signed_in
from tests.accounts.saml_idp import LOA3, SamlIdP
from tests.conftest import World
from tests.factories import PASSWORD

P = "ekbacken"


@pytest.fixture
def idp(settings: Any) -> Iterator[SamlIdP]:
    with idp_running(settings) as running:
        yield running


def admin_client(world: World) -> Client:
    client = Client(HTTP_HOST="testserver")
    client.force_login(world.admin)
    return client


def saml_providers(world: World) -> list[IdentityProvider]:
    with scopes_disabled():
        return list(
            IdentityProvider.objects.filter(
                practice=world.practice, kind=IdentityProviderKind.SAML
            ).select_related("app")
        )


def test_admin_adds_a_saml_log_in_and_sees_what_to_give_the_idp(world: World, idp: SamlIdP) -> None:
    client = admin_client(world)

    response = client.post(
        f"/p/{P}/settings/log-in/new-saml/",
        {
            "name": "Solbacka skolas inloggning",
            "client": world.client.pk,
            "entity_id": idp.entity_id,
            "sso_url": idp.sso_url,
            "x509cert": idp.cert_pem,
            "verifies_email": "on",
            "required_for": ["client_contact"],
        },
        follow=True,
    )

    [provider] = saml_providers(world)
    slug = provider.app.client_id
    assert (provider.name, provider.client_id, provider.required_for) == (
        "Solbacka skolas inloggning",
        world.client.pk,
        ["client_contact"],
    )
    assert provider.app.settings["idp"] == {
        "entity_id": idp.entity_id,
        "sso_url": idp.sso_url,
        "x509cert": idp.cert_body,
    }
    assert provider.app.settings["verified_email"] is True
    page = response.content.decode()
    assert f"/accounts/saml/{slug}/acs/" in page
    assert f"/accounts/saml/{slug}/metadata/" in page
    # The metadata Bollplank publishes names the same answer address.
    metadata = client.get(f"/accounts/saml/{slug}/metadata/").content.decode()
    assert f'Location="http://testserver/accounts/saml/{slug}/acs/"' in metadata


def test_a_saml_log_in_with_a_bad_certificate_is_refused_and_the_form_keeps_what_was_typed(
    world: World, idp: SamlIdP
) -> None:
    client = admin_client(world)

    response = client.post(
        f"/p/{P}/settings/log-in/new-saml/",
        {
            "name": "Solbacka skolas inloggning",
            "entity_id": idp.entity_id,
            "sso_url": idp.sso_url,
            "x509cert": "inte ett certifikat",
        },
    )

    page = response.content.decode()
    assert "Det där är inte ett X.509-certifikat." in page
    assert 'value="Solbacka skolas inloggning"' in page
    assert saml_providers(world) == []


def test_a_saml_log_in_from_the_idps_metadata_address_signs_people_in(
    world: World, idp: SamlIdP
) -> None:
    client = admin_client(world)
    client.post(
        f"/p/{P}/settings/log-in/new-saml/",
        {
            "name": "Solbacka skolas inloggning",
            "client": world.client.pk,
            "entity_id": idp.entity_id,
            "metadata_url": idp.metadata_url,
            "verifies_email": "on",
        },
    )
    [provider] = saml_providers(world)
    person = Client(HTTP_HOST="testserver")

    post_to_acs(person, idp_sign_in(person, idp, provider, world.contact_user.email))

    assert signed_in(person) == str(world.contact_user.pk)
    people = admin_client(world).get(f"/p/{P}/settings/log-in/{provider.pk}/").content.decode()
    assert "Hög (BankID)" in people
    assert LOA3 not in people


def test_the_open_id_connect_edit_address_of_a_saml_log_in_leads_to_its_own_page(
    world: World, idp: SamlIdP
) -> None:
    client = admin_client(world)
    client.post(
        f"/p/{P}/settings/log-in/new-saml/",
        {"name": "Solbacka", "entity_id": idp.entity_id, "metadata_url": idp.metadata_url},
    )
    [provider] = saml_providers(world)

    response = client.get(f"/p/{P}/settings/log-in/{provider.pk}/edit/")

    assert response["Location"] == f"/p/{P}/settings/log-in/{provider.pk}/saml/"


def test_a_required_saml_log_in_replaces_the_password_and_its_button_may_lead_to_the_idp(
    world: World, idp: SamlIdP
) -> None:
    admin_client(world).post(
        f"/p/{P}/settings/log-in/new-saml/",
        {
            "name": "Solbacka skolas inloggning",
            "client": world.client.pk,
            "entity_id": idp.entity_id,
            "sso_url": idp.sso_url,
            "x509cert": idp.cert_pem,
            "required_for": ["client_contact"],
        },
    )
    person = Client(HTTP_HOST="testserver")

    response = person.post(
        "/accounts/login/", {"login": world.contact_user.email, "password": PASSWORD}
    )

    assert signed_in(person) is None
    assert "Logga in med Solbacka skolas inloggning" in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert f"form-action 'self' {idp.url}" in policy
