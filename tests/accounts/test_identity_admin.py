"""The practice admin's pages for log-in through an organisation: adding a provider (its secret
never shown back), linking a person to an identity, the linked people with the level of
assurance of their latest log-in, removing; and what erasure does with linked identities."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.accounts.identity import secret_open
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.core import crypto
from bollplank.core.personal_data_registry import categories
from bollplank.core.roles import Role
from tests import factories as f
from tests.accounts.oidc_provider import add_provider, sign_in

SECRET = "en-hemlighet-från-entra-id"


def _form(**changes: Any) -> dict[str, Any]:
    data = {
        "name": "Solbackas inloggning",
        "client": "",
        "server_url": "https://login.example.se/tenant/v2.0",
        "client_id": "bollplank-ekbacken",
        "secret": SECRET,
        "required_for": [Role.SUPERVISOR],
    }
    data.update(changes)
    return data


def test_admin_adds_a_provider_and_its_secret_is_never_shown_back(client, world):
    client.force_login(world.admin)
    response = client.post(reverse("identity_provider_new", args=["ekbacken"]), _form())
    with scopes_disabled():
        provider = IdentityProvider.objects.get()
    assert response.status_code == 302
    # Stored encrypted with the note keys, as the video server's secret.
    assert SECRET not in provider.app.secret
    assert secret_open(provider.app.secret) == SECRET
    assert provider.app.settings["server_url"] == "https://login.example.se/tenant/v2.0"
    assert provider.required_for == [Role.SUPERVISOR]
    people = client.get(response.url).content.decode()
    # The redirect URI to register at the provider, on the public address.
    assert f"{settings.SITE_URL}/accounts/oidc/{provider.app.provider_id}/login/callback/" in people

    edit = reverse("identity_provider_edit", args=["ekbacken", provider.pk])
    assert SECRET not in client.get(edit).content.decode()
    client.post(edit, _form(secret="", name="Ekbackens inloggning"))
    provider.app.refresh_from_db()
    assert secret_open(provider.app.secret) == SECRET
    assert provider.app.name == "Ekbackens inloggning"


def test_bad_provider_settings_keep_what_was_typed(client, world, settings):
    settings.SSO_PRIVATE_HOSTS = False
    client.force_login(world.admin)
    response = client.post(
        reverse("identity_provider_new", args=["ekbacken"]),
        _form(server_url="http://login.example.se", secret=""),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ange klienthemligheten." in page
    assert 'value="bollplank-ekbacken"' in page
    assert not SocialApp.objects.exists()


def test_admin_links_an_identity_and_sees_the_assurance_of_the_latest_log_in(client, world, oidc):
    provider = add_provider(world, oidc)
    client.force_login(world.admin)
    people = reverse("identity_provider_people", args=["ekbacken", provider.pk])
    client.post(people, {"action": "link", "user": world.contact_user.pk, "subject": "rut-77"})
    assert SocialAccount.objects.get(user=world.contact_user).uid == "rut-77"

    oidc.add_person("rut-77")
    browser = type(client)()
    sign_in(browser, provider, "rut-77")
    assert browser.session["_auth_user_id"] == str(world.contact_user.pk)
    page = client.get(people).content.decode()
    assert "Rektor Rut" in page
    assert "Hög (BankID) (bankid)" in page


def test_only_the_providers_people_can_be_linked(client, world, oidc):
    provider = add_provider(world, oidc)
    client.force_login(world.admin)
    people = reverse("identity_provider_people", args=["ekbacken", provider.pk])
    response = client.post(
        people, {"action": "link", "user": world.supervisor.pk, "subject": "siv"}
    )
    assert response.status_code == 400
    assert not SocialAccount.objects.exists()


def test_removing_a_provider_removes_its_links(client, world, oidc):
    provider = add_provider(world, oidc)
    with scopes_disabled():
        SocialAccount.objects.create(
            provider=provider.app.provider_id, uid="x", user=world.contact_user
        )
    client.force_login(world.admin)
    client.post(
        reverse("identity_provider_edit", args=["ekbacken", provider.pk]), {"action": "remove"}
    )
    with scopes_disabled():
        assert not IdentityProvider.objects.exists()
    assert not SocialApp.objects.exists()
    assert not SocialAccount.objects.exists()


def test_erasure_removes_linked_identities(world, oidc):
    provider = add_provider(world, oidc)
    SocialAccount.objects.create(
        provider=provider.app.provider_id, uid="x", user=world.contact_user
    )
    account = next(c for c in categories() if c.key == "accounts.account")
    with scopes_disabled():
        assert account.count_in_practice(world.contact_user, world.practice) == 2
        account.erase_in_practice(world.contact_user, world.practice)
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(("rows", "queries"), [(1, 4), (3, 4)])
def test_provider_list_query_count(client, world, oidc, rows, queries, django_assert_num_queries):
    for i in range(rows):
        add_provider(world, oidc, name=f"Inloggning {i}")
    client.force_login(world.admin)
    # session, user, practice and roles; the providers with their apps and clients.
    with django_assert_num_queries(queries):
        client.get(reverse("identity_providers", args=["ekbacken"]))


@pytest.mark.parametrize(("rows", "queries"), [(1, 6), (3, 6)])
def test_linked_people_query_count(client, world, oidc, rows, queries, django_assert_num_queries):
    provider = add_provider(world, oidc, client=None)
    for _i in range(rows):
        user = f.member(world.practice, Role.SUPERVISOR)
        SocialAccount.objects.create(provider=provider.app.provider_id, uid=user.email, user=user)
    client.force_login(world.admin)
    # session, user, practice and roles; the provider with its app; the linked identities
    # with their people; the people to choose from in the link form.
    with django_assert_num_queries(queries):
        client.get(reverse("identity_provider_people", args=["ekbacken", provider.pk]))


def test_key_rotation_reencrypts_the_client_secret(client, world, oidc, monkeypatch, tmp_path):
    old = Fernet.generate_key().decode()
    key_file = tmp_path / "keys"
    key_file.write_text(old + "\n")
    monkeypatch.delenv("BOLLPLANK_NOTE_KEYS", raising=False)
    monkeypatch.setenv("BOLLPLANK_NOTE_KEYS_FILE", str(key_file))
    crypto.reset()
    provider = add_provider(world, oidc)
    call_command("rotate_note_key", "--new-key", stdout=StringIO())
    key_file.write_text(key_file.read_text().split()[0] + "\n")  # the old key is removed
    crypto.reset()
    assert secret_open(SocialApp.objects.get().secret) == oidc.client.client_secret
    # allauth gets the secret in the clear: the provider takes it and signs Pia in.
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    sign_in(client, provider, "pia-1")
    assert client.session["_auth_user_id"] == str(world.participant_user.pk)
