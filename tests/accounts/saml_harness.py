"""The SAML tests' set-up, shared by the sign-in tests (through the test client), the admin page
tests and the browser walk: the tests' IdP started for one test, a client organisation's SAML
log-in as its practice's admin adds it, and a sign-in at the IdP through the test client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

from django.test import Client

from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.identity_saml import saml_provider_save
from tests.accounts.saml_idp import Posted, SamlIdP
from tests.conftest import World


@contextmanager
def idp_running(settings: Any, *, autosubmit: bool = True) -> Iterator[SamlIdP]:
    """The tests' IdP on 127.0.0.1 for the length of the block. Bollplank may use it only with
    SSO_PRIVATE_HOSTS, which also lets python3-saml accept the single-label hosts the test
    client ("testserver") and the live server ("localhost") answer on."""
    settings.SSO_PRIVATE_HOSTS = True
    with SamlIdP() as running:
        running.autosubmit = autosubmit
        yield running


def client_saml_provider(
    world: World,
    idp: SamlIdP,
    *,
    verifies_email: bool,
    name: str = "Testkommunens inloggning",
    metadata_url: str = "",
) -> IdentityProvider:
    """The client organisation's own SAML sign-in at ``idp``, as its practice's admin adds it:
    by the IdP's sign-in address and certificate, or by ``metadata_url``."""
    where = (
        {"metadata_url": metadata_url}
        if metadata_url
        else {"sso_url": idp.sso_url, "x509cert": idp.cert_pem}
    )
    return saml_provider_save(
        actor=world.admin,
        practice=world.practice,
        name=name,
        client=world.client,
        entity_id=idp.entity_id,
        verifies_email=verifies_email,
        required_for=[],
        **where,
    )


def browser() -> Client:
    # python3-saml reads the Host header, which every browser sends and the test client does not.
    return Client(HTTP_HOST="testserver")


def idp_sign_in(client: Client, idp: SamlIdP, provider: IdentityProvider, email: str) -> Posted:
    """Start the login at Bollplank and sign in at the IdP as ``email``; the IdP's response
    is returned as its hand-off form posts it."""
    response = client.post(provider.login_path)
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


def refusal(response: Any) -> str:
    found = re.search(r'id="sign-in-refused" data-reason="([a-z_]+)"', response.content.decode())
    return found.group(1) if found else ""


def signed_in(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
