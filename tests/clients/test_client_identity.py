"""A client contact keeps their organisation's own log-in: adds an OpenID Connect provider for
its staff (the secret never shown back), changes and removes it, links identities of its
participants and sees the level of assurance of their sign-ins; never another client's log-in
or the practice's own. Every change is in the audit log with the contact as the actor."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.accounts.assurance import DEFAULT_STRONG_ACR, strong_acr_of
from bollplank.accounts.identity import identity_provider_save, secret_open
from bollplank.accounts.identity_models import IdentityProvider
from bollplank.clients.identity import (
    client_identity_provider_remove,
    client_identity_provider_save,
    client_providers_visible_to,
)
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from tests import factories as f
from tests.accounts.oidc_provider import add_provider, sign_in

P = "ekbacken"
SECRET = "solbackas-hemlighet"


def _form(world: Any, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "Solbackas inloggning",
        "client": world.client.pk,
        "server_url": "https://login.solbacka.se",
        "client_id": "bollplank",
        "secret": SECRET,
        "required_for": [Role.PARTICIPANT],
        "strong_acr": "\n".join(DEFAULT_STRONG_ACR),
    }
    data.update(changes)
    return data


def _provider(world: Any, *, client: Any = None, name: str = "Annan inloggning") -> Any:
    with scopes_disabled():
        return identity_provider_save(
            actor=world.admin,
            practice=world.practice,
            name=name,
            client=client,
            server_url="https://login.example.se",
            client_id="bollplank",
            secret="hemligt",
            required_for=[],
        )


def _actions(provider: Any) -> list[tuple[int | None, str]]:
    with scopes_disabled():
        events = AuditEvent.objects.filter(
            object_type="accounts.identityprovider", object_id=str(provider.pk)
        ).order_by("id")
        return [(e.actor_id, e.action) for e in events]


def test_contact_adds_their_organisations_log_in_and_the_secret_is_never_shown_back(client, world):
    client.force_login(world.contact_user)
    response = client.post(reverse("client_identity_provider_new", args=[P]), _form(world))
    with scopes_disabled():
        provider = IdentityProvider.objects.get()
    assert response.status_code == 302
    assert (provider.client, provider.required_for) == (world.client, [Role.PARTICIPANT])
    assert SECRET not in provider.app.secret
    assert secret_open(provider.app.secret) == SECRET
    edit = reverse("client_identity_provider_edit", args=[P, provider.pk])
    page = client.get(edit).content.decode()
    assert SECRET not in page
    assert "http://id.elegnamnden.se/loa/1.0/loa3" in page
    client.post(edit, _form(world, secret="", name="Solbacka BankID", strong_acr="urn:x:high"))
    provider.refresh_from_db()
    provider.app.refresh_from_db()
    assert provider.name == "Solbacka BankID"
    assert secret_open(provider.app.secret) == SECRET  # an empty field keeps it
    assert strong_acr_of(provider) == ["urn:x:high"]
    assert _actions(provider) == [
        (world.contact_user.pk, "accounts.identity_provider.saved"),
        (world.contact_user.pk, "accounts.identity_provider.saved"),
    ]
    with scopes_disabled():
        changed = AuditEvent.objects.filter(object_id=str(provider.pk)).latest("id").data
    assert changed == {"fields": ["name", "strong_acr"]}


def test_contact_cannot_add_a_log_in_for_another_client(client, world):
    with scopes_disabled():
        other = f.ClientFactory(practice=world.practice, name="Norrbacka skola")
    client.force_login(world.contact_user)
    response = client.post(
        reverse("client_identity_provider_new", args=[P]), _form(world, client=other.pk)
    )
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    with scopes_disabled():
        assert not IdentityProvider.objects.exists()
    # The service says the same to any other caller.
    with scopes_disabled(), pytest.raises(ValidationError) as caught:
        client_identity_provider_save(
            actor=world.contact_user,
            practice=world.practice,
            client=other,
            name="Norrbackas",
            server_url="https://login.example.se",
            client_id="x",
            secret="y",
            required_for=[],
        )
    assert "client" in caught.value.message_dict


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_contact_can_require_it_of_their_staff_only(client, world, role):
    client.force_login(world.contact_user)
    response = client.post(
        reverse("client_identity_provider_new", args=[P]), _form(world, required_for=[role])
    )
    assert response.status_code == 400
    assert "required_for" in response.context["form"].errors
    choices = [value for value, _label in response.context["form"].fields["required_for"].choices]
    assert choices == [Role.CLIENT_CONTACT, Role.PARTICIPANT]
    with scopes_disabled():
        assert not IdentityProvider.objects.exists()


def test_contact_sees_their_clients_log_ins_only(client, world):
    with scopes_disabled():
        other = f.ClientFactory(practice=world.practice, name="Norrbacka skola")
    ours = _provider(world, client=world.client, name="Solbackas inloggning")
    _provider(world, client=other, name="Norrbackas inloggning")
    _provider(world, name="Ekbackens inloggning")
    client.force_login(world.contact_user)
    page = client.get(reverse("client_identity_providers", args=[P])).content.decode()
    assert "Solbackas inloggning" in page
    assert "Norrbackas inloggning" not in page
    assert "Ekbackens inloggning" not in page
    with scopes_disabled():
        assert list(client_providers_visible_to(world.contact_user, world.practice)) == [ours]


def test_another_clients_log_in_cannot_be_changed_or_removed(world):
    with scopes_disabled():
        other = f.ClientFactory(practice=world.practice, name="Norrbacka skola")
    theirs = _provider(world, client=other)
    practices = _provider(world)
    for provider in (theirs, practices):
        with scopes_disabled(), pytest.raises(ValidationError):
            client_identity_provider_remove(
                actor=world.contact_user, practice=world.practice, provider=provider
            )
        with scopes_disabled(), pytest.raises(ValidationError):
            client_identity_provider_save(
                actor=world.contact_user,
                practice=world.practice,
                provider=provider,
                client=world.client,
                name="Kapad",
                server_url="https://login.example.se",
                client_id="x",
                required_for=[],
            )
    with scopes_disabled():
        assert IdentityProvider.objects.count() == 2


def test_contact_links_a_participant_and_sees_the_assurance_of_their_sign_in(client, world, oidc):
    provider = add_provider(world, oidc, required_for=[])
    people = reverse("client_identity_provider_people", args=[P, provider.pk])
    client.force_login(world.contact_user)
    form = client.get(people).context["form"]
    # Their client's participants and contacts: no supervisor, no admin.
    choices = {u.email for u in form.fields["user"].queryset}
    assert choices == {"pia@solbacka.se", "otto@solbacka.se", "rut@solbacka.se"}
    client.post(people, {"action": "link", "user": world.participant_user.pk, "subject": "P-1"})
    with scopes_disabled():
        account = SocialAccount.objects.get(user=world.participant_user)
        assert account.uid == "P-1"
        linked = AuditEvent.objects.filter(action="accounts.identity.linked").get()
    assert linked.actor_id == world.contact_user.pk

    # Pia signs in through it with BankID; her contact sees how, and not when.
    oidc.add_person("P-1")
    sign_in(Browser(), provider, "P-1")
    page = client.get(people).content.decode()
    assert "Hög (BankID)" in page
    assert "Senaste inloggning" not in page


def test_linking_a_supervisor_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    people = reverse("client_identity_provider_people", args=[P, provider.pk])
    client.force_login(world.contact_user)
    response = client.post(
        people, {"action": "link", "user": world.supervisor.pk, "subject": "S-1"}
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not SocialAccount.objects.exists()


def test_contact_removes_the_log_in_and_the_admin_sees_and_removes_theirs(client, world):
    client.force_login(world.contact_user)
    client.post(reverse("client_identity_provider_new", args=[P]), _form(world))
    client.post(reverse("client_identity_provider_new", args=[P]), _form(world, name="Andra"))
    with scopes_disabled():
        first, second = IdentityProvider.objects.order_by("pk")
    edit = reverse("client_identity_provider_edit", args=[P, first.pk])
    client.post(edit, {"action": "remove"})
    assert _actions(first)[-1] == (world.contact_user.pk, "accounts.identity_provider.removed")
    # The practice's admin sees the one the contact added, and can remove it too.
    client.force_login(world.admin)
    listing = client.get(reverse("identity_providers", args=[P])).content.decode()
    assert "Andra" in listing
    assert "Solbacka skola" in listing
    client.post(reverse("identity_provider_edit", args=[P, second.pk]), {"action": "remove"})
    with scopes_disabled():
        assert not IdentityProvider.objects.exists()
    assert _actions(second)[-1] == (world.admin.pk, "accounts.identity_provider.removed")


def test_contacts_menu_leads_to_their_log_in(client, world):
    client.force_login(world.contact_user)
    page = client.get(reverse("client_home", args=[P])).content.decode()
    assert reverse("client_identity_providers", args=[P]) in page


@pytest.mark.parametrize("rows", [1, 3])
def test_contacts_provider_list_query_count(client, world, oidc, rows, django_assert_num_queries):
    for i in range(rows):
        add_provider(world, oidc, name=f"Inloggning {i}")
    client.force_login(world.contact_user)
    # session, user, practice with roles (one query); the providers of the contact's clients
    # with their apps and clients (the contact's clients as a subquery).
    with django_assert_num_queries(4):
        page = client.get(reverse("client_identity_providers", args=[P]))
    assert page.content.decode().count("Inloggning ") == rows


@pytest.mark.parametrize("rows", [1, 3])
def test_contacts_linked_people_query_count(client, world, oidc, rows, django_assert_num_queries):
    provider = add_provider(world, oidc)
    with scopes_disabled():
        for _i in range(rows):
            user = f.member(world.practice, Role.PARTICIPANT)
            f.ParticipantFactory(practice=world.practice, user=user, client=world.client)
            SocialAccount.objects.create(
                provider=provider.app.provider_id, uid=user.email, user=user
            )
    client.force_login(world.contact_user)
    # session, user, practice and roles; the provider with its app and client; the linked
    # identities with their people; the people to choose from in the link form.
    with django_assert_num_queries(6):
        page = client.get(reverse("client_identity_provider_people", args=[P, provider.pk]))
    assert len(page.context["people"]) == rows
