"""allauth's SAML login against the tests' real SAML IdP (pysaml2), through the test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.test import Client

from bollplank.accounts.identity_saml import level_of_assurance
from tests.accounts.saml_idp import ELSEWHERE, LOA3, Posted, SamlIdP
from tests.conftest import World

ORG = "test-idp"


@pytest.fixture
def idp() -> Iterator[SamlIdP]:
    with SamlIdP() as running:
        yield running


def saml_app(idp: SamlIdP, **settings: Any) -> SocialApp:
    return SocialApp.objects.create(
        provider="saml",
        provider_id=f"saml-{ORG}",
        name="Testkommunens inloggning",
        client_id=ORG,
        settings={
            "idp": {"entity_id": idp.entity_id, "sso_url": idp.sso_url, "x509cert": idp.cert_body},
            # The test client's host is "testserver", a single-label name.
            "advanced": {"allow_single_label_domains": True},
            **settings,
        },
    )


def idp_sign_in(client: Client, idp: SamlIdP, email: str) -> Posted:
    """Start the login at Bollplank and sign in at the IdP as ``email``; the IdP's response
    is returned as its hand-off form would post it."""
    response = client.post(f"/accounts/saml/{ORG}/login/")
    location = response["Location"]
    assert location.startswith(idp.sso_url + "?")
    with urlopen(location) as page:  # noqa: S310 (the tests' IdP on 127.0.0.1)
        ticket = re.search(r'name="ticket" value="([^"]+)"', page.read().decode())
    assert ticket is not None
    form = urlencode({"ticket": ticket.group(1), "email": email}).encode()
    with urlopen(Request(f"{idp.url}/sso/login", data=form)):  # noqa: S310
        pass
    assert idp.last_post is not None
    return idp.last_post


def post_to_acs(client: Client, posted: Posted) -> Any:
    return client.post(urlsplit(posted.acs_url).path, posted.data, follow=True)


def test_saml_login_signs_in_the_linked_person_and_keeps_the_level_of_assurance(
    world: World, idp: SamlIdP
) -> None:
    app = saml_app(idp)
    person = world.participant_user
    SocialAccount.objects.create(
        user=person, provider=app.provider_id, uid=SamlIdP.name_id_of(person.email)
    )
    # python3-saml reads the Host header, which every browser sends and the test client does not.
    client = Client(HTTP_HOST="testserver")

    posted = idp_sign_in(client, idp, person.email)
    post_to_acs(client, posted)

    assert client.session.get("_auth_user_id") == str(person.pk)
    account = SocialAccount.objects.get(user=person)
    assert level_of_assurance(account.extra_data) == LOA3
    assert account.extra_data["urn:oid:0.9.2342.19200300.100.1.3"] == [person.email]


def linked_person(world: World, app: SocialApp) -> Any:
    person = world.participant_user
    SocialAccount.objects.create(
        user=person, provider=app.provider_id, uid=SamlIdP.name_id_of(person.email)
    )
    return person


def test_saml_login_refuses_an_assertion_meant_for_another_service(
    world: World, idp: SamlIdP
) -> None:
    person = linked_person(world, saml_app(idp))
    idp.audience = ELSEWHERE
    client = Client(HTTP_HOST="testserver")

    post_to_acs(client, idp_sign_in(client, idp, person.email))

    assert "_auth_user_id" not in client.session


def test_saml_login_refuses_an_expired_assertion(world: World, idp: SamlIdP) -> None:
    person = linked_person(world, saml_app(idp))
    idp.expired = True
    client = Client(HTTP_HOST="testserver")

    post_to_acs(client, idp_sign_in(client, idp, person.email))

    assert "_auth_user_id" not in client.session


def test_saml_login_refuses_a_response_posted_a_second_time(world: World, idp: SamlIdP) -> None:
    person = linked_person(world, saml_app(idp))
    client = Client(HTTP_HOST="testserver")
    posted = idp_sign_in(client, idp, person.email)
    post_to_acs(client, posted)
    assert client.session.get("_auth_user_id") == str(person.pk)
    # The same response again, in another browser (someone who copied it) and in the same one.
    thief = Client(HTTP_HOST="testserver")

    post_to_acs(thief, posted)
    client.logout()
    post_to_acs(client, posted)

    assert "_auth_user_id" not in thief.session
    assert "_auth_user_id" not in client.session
