"""Sign-in with an organisation's own identity provider, through a real OpenID Connect
provider on 127.0.0.1 (tests/accounts/oidc_provider.py): who is recognised (a linked identity,
a verified address within the provider's people, never a name), who is refused and why, the
roles that must use it, and the level of assurance kept per sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from allauth.usersessions.models import UserSession
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.accounts.identity import (
    belongs_to,
    identity_link,
    identity_provider_save,
    loa_words,
    required_providers,
)
from bollplank.core.roles import Role
from tests import factories as f
from tests.accounts.oidc_provider import add_provider, sign_in
from tests.factories import PASSWORD

LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


def _logged_in_as(client: Any) -> Any:
    return client.session.get("_auth_user_id")


def test_verified_address_of_the_clients_participant_signs_in(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="PIA@solbacka.se", email_verified=True, name="Pia")
    response = sign_in(client, provider, "pia-1")
    assert response.status_code == 302
    assert _logged_in_as(client) == str(world.participant_user.pk)
    # The identity is linked from now on, with the level of assurance of the sign-in.
    account = SocialAccount.objects.get(user=world.participant_user)
    assert account.uid == "pia-1"
    assert account.extra_data["bollplank_loa"]["acr"] == LOA3


def test_level_of_assurance_is_kept_on_the_login_session(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    oidc.amr = ["bankid", "mfa"]
    sign_in(client, provider, "pia-1")
    row = UserSession.objects.get(session_key=client.session.session_key)
    assert row.data["bollplank_loa"]["acr"] == LOA3
    assert loa_words(row.data["bollplank_loa"]) == "Hög (BankID) (bankid, mfa)"
    page = client.get(reverse("usersessions_list")).content.decode()
    assert "Hög (BankID)" in page
    assert "Solbackas inloggning" in page


def test_unverified_address_is_not_enough(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=False)
    response = sign_in(client, provider, "pia-1")
    assert response.status_code == 403
    assert _logged_in_as(client) is None
    assert "Vi hittar inget konto i Bollplank för dig" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_name_alone_never_matches(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", name="Pia Deltagare", given_name="Pia", family_name="Deltagare")
    response = sign_in(client, provider, "pia-1")
    assert response.status_code == 403
    assert _logged_in_as(client) is None


def test_verified_address_outside_the_clients_people_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    # A supervisor of the practice is no staff of Solbacka skola.
    oidc.add_person("siv", email="siv@ekbacken.se", email_verified=True)
    response = sign_in(client, provider, "siv")
    assert response.status_code == 403
    assert _logged_in_as(client) is None


def test_another_practices_person_is_refused(client, world, oidc):
    provider = add_provider(world, oidc, client=None, name="Ekbackens inloggning")
    oidc.add_person("fia", email=world.foreign_supervisor.email, email_verified=True)
    response = sign_in(client, provider, "fia")
    assert response.status_code == 403
    assert _logged_in_as(client) is None


def test_linked_identity_signs_in_without_an_address(client, world, oidc):
    provider = add_provider(world, oidc)
    with scopes_disabled():
        identity_link(actor=world.admin, provider=provider, user=world.contact_user, subject="X9")
    oidc.add_person("X9")  # the provider tells nothing but the subject
    sign_in(client, provider, "X9")
    assert _logged_in_as(client) == str(world.contact_user.pk)


def test_linked_identity_of_someone_who_left_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    with scopes_disabled():
        identity_link(actor=world.admin, provider=provider, user=world.contact_user, subject="X9")
        world.contact_user.client_contacts.all().delete()
    oidc.add_person("X9")
    response = sign_in(client, provider, "X9")
    assert response.status_code == 403
    assert _logged_in_as(client) is None


def test_identity_cannot_be_linked_to_someone_outside_the_provider(world, oidc):
    provider = add_provider(world, oidc)
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        identity_link(actor=world.admin, provider=provider, user=world.supervisor, subject="S")
    assert "user" in caught.value.error_dict


def test_wrong_audience_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    oidc.audience = "another-service"
    response = sign_in(client, provider, "pia-1")
    assert response.status_code == 400
    assert "utfärdades för en annan tjänst" in response.content.decode()
    assert _logged_in_as(client) is None


def test_expired_id_token_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    oidc.token_lifetime = -60
    response = sign_in(client, provider, "pia-1")
    assert response.status_code == 400
    assert "hade gått ut" in response.content.decode()
    assert _logged_in_as(client) is None


def test_replayed_answer_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    start = client.post(provider.login_path)
    back = requests.post(start.url, data={"username": "pia-1"}, allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    client.get(f"{callback.path}?{callback.query}")
    assert _logged_in_as(client) == str(world.participant_user.pk)
    client.post(reverse("account_logout"))
    replay = client.get(f"{callback.path}?{callback.query}")
    assert replay.status_code == 400
    assert "redan använts" in replay.content.decode()
    assert _logged_in_as(client) is None


def test_required_role_cannot_log_in_with_a_password(client, world, oidc):
    provider = add_provider(world, oidc, required_for=[Role.PARTICIPANT])
    response = client.post(
        reverse("account_login"), {"login": "pia@solbacka.se", "password": PASSWORD}
    )
    page = response.content.decode()
    assert _logged_in_as(client) is None
    assert "kräver att du loggar in via Solbackas inloggning" in page
    assert provider.login_path in page
    # Others still log in with their password.
    client.post(reverse("account_login"), {"login": "rut@solbacka.se", "password": PASSWORD})
    assert _logged_in_as(client) == str(world.contact_user.pk)


def test_required_for_is_per_role_and_per_client(world, oidc):
    provider = add_provider(world, oidc, required_for=[Role.PARTICIPANT])
    other_client = f.ClientFactory(practice=world.practice)
    with scopes_disabled():
        elsewhere = f.member(world.practice, Role.PARTICIPANT)
        f.ParticipantFactory(practice=world.practice, user=elsewhere, client=other_client)
    assert required_providers(world.participant_user) == [provider]
    assert required_providers(world.contact_user) == []
    assert required_providers(elsewhere) == []
    assert belongs_to(provider, world.contact_user)
    assert not belongs_to(provider, elsewhere)


def test_client_provider_cannot_be_required_of_practice_staff(world, oidc):
    with pytest.raises(ValidationError) as caught:
        add_provider(world, oidc, required_for=[Role.SUPERVISOR])
    assert "required_for" in caught.value.error_dict


def test_provider_address_must_be_https_and_public(world, oidc, settings):
    settings.SSO_PRIVATE_HOSTS = False
    for url in ("http://login.example.se", "https://127.0.0.1:8443", "https://10.0.0.5"):
        with pytest.raises(ValidationError) as caught:
            identity_provider_save(
                actor=world.admin,
                practice=world.practice,
                name="X",
                client=None,
                server_url=url,
                client_id="c",
                secret="s",
                required_for=[],
            )
        assert "server_url" in caught.value.error_dict


def test_provider_unreachable_from_a_private_address_at_sign_in(client, world, oidc, settings):
    """A provider saved while private hosts were allowed is not fetched once they are not."""
    provider = add_provider(world, oidc)
    settings.SSO_PRIVATE_HOSTS = False
    response = client.post(provider.login_path)
    assert _logged_in_as(client) is None
    assert response.status_code == 502
    assert "kunde inte nås" in response.content.decode()


def test_only_the_needed_claims_are_kept(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person(
        "pia-1",
        email="pia@solbacka.se",
        email_verified=True,
        personal_identity_number="198001011234",
        birthdate="1980-01-01",
    )
    sign_in(client, provider, "pia-1")
    stored = str(SocialAccount.objects.get(user=world.participant_user).extra_data)
    assert "pia@solbacka.se" in stored
    assert "198001011234" not in stored
    assert "1980-01-01" not in stored


def test_assurance_in_words():
    assert loa_words({"acr": LOA3, "amr": []}) == "Hög (BankID)"
    assert loa_words({"acr": "urn:example:strong", "amr": ["pwd"]}) == "urn:example:strong (pwd)"
    assert loa_words({"acr": "", "amr": ["mfa"]}) == "mfa"
    assert loa_words(None) == ""
