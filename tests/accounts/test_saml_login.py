"""SAML 2.0 sign-in through allauth's provider against the tests' real SAML IdP (pysaml2 on
127.0.0.1), through the test client: who is signed in, what is kept, and each refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from bollplank.accounts.identity import LOA_KEY, identity_link
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.accounts.identity_saml import saml_provider_save
from tests.accounts.saml_harness import (
    browser,
    client_saml_provider,
    idp_running,
    idp_sign_in,
    post_to_acs,
    refusal,
    signed_in,
)
from tests.accounts.saml_idp import ELSEWHERE, LOA3, SamlIdP
from tests.conftest import World


@pytest.fixture
def idp(settings: Any) -> Iterator[SamlIdP]:
    with idp_running(settings) as running:
        yield running


def test_saml_sign_in_by_the_verified_address_links_the_person_and_keeps_the_assurance(
    world: World, idp: SamlIdP
) -> None:
    provider = client_saml_provider(world, idp, verifies_email=True)
    person = world.contact_user
    client = browser()

    post_to_acs(client, idp_sign_in(client, idp, provider, person.email))

    assert signed_in(client) == str(person.pk)
    account = SocialAccount.objects.get(user=person, provider=provider.app.provider_id)
    assert account.uid == SamlIdP.name_id_of(person.email)
    assert account.extra_data[LOA_KEY]["acr"] == LOA3
    # Nothing else of the assertion is kept: its attributes may hold what Bollplank never needs.
    assert set(account.extra_data) == {LOA_KEY}


def test_saml_sign_in_by_a_linked_identity(world: World, idp: SamlIdP) -> None:
    provider = client_saml_provider(world, idp, verifies_email=False)
    person = world.contact_user
    identity_link(
        actor=world.admin,
        provider=provider,
        user=person,
        subject=SamlIdP.name_id_of(person.email),
    )
    client = browser()

    post_to_acs(client, idp_sign_in(client, idp, provider, person.email))

    assert signed_in(client) == str(person.pk)


def test_saml_sign_in_refuses_an_address_the_provider_does_not_vouch_for(
    world: World, idp: SamlIdP
) -> None:
    provider = client_saml_provider(world, idp, verifies_email=False)
    client = browser()

    response = post_to_acs(client, idp_sign_in(client, idp, provider, world.contact_user.email))

    assert (refusal(response), signed_in(client)) == ("unknown_person", None)


def test_saml_sign_in_refuses_an_unknown_person(world: World, idp: SamlIdP) -> None:
    provider = client_saml_provider(world, idp, verifies_email=True)
    client = browser()

    response = post_to_acs(client, idp_sign_in(client, idp, provider, "okand@kommun.example"))

    assert (refusal(response), signed_in(client)) == ("unknown_person", None)
    assert not SocialAccount.objects.filter(provider=provider.app.provider_id).exists()


def test_saml_sign_in_refuses_the_practice_staff_at_a_client_provider(
    world: World, idp: SamlIdP
) -> None:
    provider = client_saml_provider(world, idp, verifies_email=True)
    client = browser()

    response = post_to_acs(client, idp_sign_in(client, idp, provider, world.supervisor.email))

    assert (refusal(response), signed_in(client)) == ("unknown_person", None)


@pytest.mark.parametrize(
    ("setting", "value", "refused_as"),
    [
        ("audience", ELSEWHERE, "wrong_audience"),
        # The response around the assertion is still signed.
        ("sign_assertion", False, "failed"),
        ("expired", True, "expired"),
    ],
    ids=["meant-for-another-service", "assertion-not-signed-itself", "expired"],
)
def test_saml_sign_in_refuses_an_assertion_it_cannot_trust(
    world: World, idp: SamlIdP, setting: str, value: Any, refused_as: str
) -> None:
    provider = client_saml_provider(world, idp, verifies_email=True)
    setattr(idp, setting, value)
    client = browser()

    response = post_to_acs(client, idp_sign_in(client, idp, provider, world.contact_user.email))

    assert (refusal(response), signed_in(client)) == (refused_as, None)


def test_saml_sign_in_refuses_a_response_posted_a_second_time(world: World, idp: SamlIdP) -> None:
    provider = client_saml_provider(world, idp, verifies_email=True)
    person = world.contact_user
    client = browser()
    posted = idp_sign_in(client, idp, provider, person.email)
    post_to_acs(client, posted)
    assert signed_in(client) == str(person.pk)
    client.logout()
    thief = browser()

    again = post_to_acs(client, posted)
    stolen = post_to_acs(thief, posted)

    assert (refusal(again), signed_in(client)) == ("replayed", None)
    assert (refusal(stolen), signed_in(thief)) == ("replayed", None)


def test_saml_provider_needs_a_certificate_or_metadata(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        saml_provider_save(
            actor=world.admin,
            practice=world.practice,
            name="Utan certifikat",
            client=world.client,
            entity_id="https://idp.kommun.example/saml",
            sso_url="https://idp.kommun.example/sso",
            x509cert="inte ett certifikat",
            verifies_email=True,
            required_for=[],
        )

    assert "x509cert" in refused.value.message_dict
    with scopes_disabled():
        assert not IdentityProvider.objects.filter(practice=world.practice).exists()


def test_saml_sign_in_refuses_a_supervisor_who_is_also_the_clients_participant(
    world: World, idp: SamlIdP
) -> None:
    """The client's IdP vouches for Siv's address; she is a participant in a Solbacka group but
    also the practice's supervisor: the client's log-in may not open her notes."""
    from bollplank.core.roles import Role
    from tests import factories as f

    with scopes_disabled():
        f.MembershipFactory(practice=world.practice, user=world.supervisor, role=Role.PARTICIPANT)
        siv = f.ParticipantFactory(
            practice=world.practice, user=world.supervisor, email=world.supervisor.email
        )
        f.GroupMembershipFactory(engagement=world.other_engagement, participant=siv)
    provider = client_saml_provider(world, idp, verifies_email=True)
    client = browser()

    response = post_to_acs(client, idp_sign_in(client, idp, provider, world.supervisor.email))

    assert (refusal(response), signed_in(client)) == ("unknown_person", None)
    assert not SocialAccount.objects.filter(user=world.supervisor).exists()


def test_a_required_saml_log_in_ends_password_sessions(world: World, idp: SamlIdP) -> None:
    from django.urls import reverse

    from bollplank.core.roles import Role
    from tests.factories import PASSWORD

    client = browser()
    client.post(reverse("account_login"), {"login": "pia@solbacka.se", "password": PASSWORD})
    assert signed_in(client) == str(world.participant_user.pk)
    saml_provider_save(
        actor=world.admin,
        practice=world.practice,
        name="Testkommunens inloggning",
        client=world.client,
        entity_id=idp.entity_id,
        sso_url=idp.sso_url,
        x509cert=idp.cert_pem,
        verifies_email=True,
        required_for=[Role.PARTICIPANT],
    )
    page = client.get(reverse("participant_home", args=["ekbacken"]))
    assert page["Location"].startswith("/accounts/login/")


def test_saml_sign_in_refuses_a_metadata_address_that_leads_into_a_private_network_now(
    world: World, idp: SamlIdP, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Saved while this machine's addresses were allowed (as the tests' own IdP is); in
    # production they are not, and the name resolves to this machine: the address passed the
    # check when it was saved, and must pass it again when the metadata is fetched.
    metadata_url = idp.metadata_url.replace("http://127.0.0.1", "https://localhost")
    provider = client_saml_provider(world, idp, verifies_email=True, metadata_url=metadata_url)
    settings.SSO_PRIVATE_HOSTS = False

    response = browser().post(provider.login_path)

    assert response.status_code == 502
    assert refusal(response) == "private_address"
    assert "adress i ett privat nätverk" in response.content.decode()
    assert idp.metadata_fetches == 0
    assert any(metadata_url in record.getMessage() for record in caplog.records)


def test_saml_sign_in_reads_the_idps_metadata_from_its_address_when_it_may(
    world: World, idp: SamlIdP
) -> None:
    provider = client_saml_provider(world, idp, verifies_email=True, metadata_url=idp.metadata_url)
    client = browser()

    post_to_acs(client, idp_sign_in(client, idp, provider, world.contact_user.email))

    assert signed_in(client) == str(world.contact_user.pk)
    assert idp.metadata_fetches >= 1
