"""What an organisation's sign-in is trusted for, and what it leaks: a provider signs in only
people wholly within its reach (never a supervisor who is also a client's participant, never
someone of another practice), a first sign-in links and is audited, a required provider ends
the password's other ways in, and neither the log-in pages nor the password form tell who
belongs to which organisation. Against the real OpenID Connect provider on 127.0.0.1."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from requests.adapters import BaseAdapter

from bollplank.accounts import identity_adapter, services
from bollplank.accounts.identity import identity_link, identity_provider_save, required_providers
from bollplank.api.services import token_authenticate, token_create
from bollplank.core import urlguard
from bollplank.core.models import AuditEvent
from bollplank.core.roles import Role
from tests import factories as f
from tests.accounts.oidc_provider import add_provider, sign_in
from tests.factories import PASSWORD


def _me(client: Any) -> Any:
    return client.session.get("_auth_user_id")


def _events(action: str) -> list[Any]:
    with scopes_disabled():
        return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# --- 1: only people wholly within the provider's reach ---------------------------------------


def test_client_provider_refuses_a_supervisor_who_is_also_a_participant(client, world, oidc):
    """Siv supervises at the practice and is also a participant in a Solbacka group: Solbacka's
    provider (its IT admin sets any verified address) must not open her notes."""
    with scopes_disabled():
        f.MembershipFactory(practice=world.practice, user=world.supervisor, role=Role.PARTICIPANT)
        siv = f.ParticipantFactory(
            practice=world.practice, user=world.supervisor, email=world.supervisor.email
        )
        f.GroupMembershipFactory(engagement=world.other_engagement, participant=siv)
    provider = add_provider(world, oidc)
    oidc.add_person("whoever", email="SIV@ekbacken.se", email_verified=True)
    response = sign_in(client, provider, "whoever")
    assert _me(client) is None
    assert "Vi hittar inget konto" in response.content.decode()
    page = client.get(reverse("notes_search", args=[world.practice.slug]))
    assert "/accounts/login/" in page["Location"]
    with scopes_disabled(), pytest.raises(ValidationError):
        identity_link(actor=world.admin, provider=provider, user=world.supervisor, subject="s")
    assert [e.data for e in _events("accounts.identity.refused")] == [{"reason": "unknown_person"}]


def test_other_practices_provider_refuses_an_admin_of_this_practice(client, world, oidc):
    """Annan byrå's own provider, which its admin controls, never signs in Åsa, admin of
    Ekbacken, who also holds a role at Annan byrå: not by address and not by a link."""
    with scopes_disabled():
        f.MembershipFactory(practice=world.other_practice, user=world.admin, role=Role.SUPERVISOR)
        other_admin = f.member(world.other_practice, Role.ADMIN)
        provider = identity_provider_save(
            actor=other_admin,
            practice=world.other_practice,
            name="Annans",
            client=None,
            server_url=oidc.issuer,
            client_id=oidc.client.client_id,
            secret=oidc.client.client_secret,
            required_for=[Role.SUPERVISOR],
        )
    oidc.add_person("x", email="admin@ekbacken.se", email_verified=True)
    sign_in(client, provider, "x")
    assert _me(client) is None
    with scopes_disabled(), pytest.raises(ValidationError):
        identity_link(actor=other_admin, provider=provider, user=world.admin, subject="mine")
    assert not SocialAccount.objects.filter(user=world.admin).exists()
    # Nor can Annan byrå's requirement take her password away at Ekbacken.
    assert required_providers(world.admin) == []
    client.post(reverse("account_login"), {"login": "admin@ekbacken.se", "password": PASSWORD})
    assert _me(client) == str(world.admin.pk)


def test_look_alike_letters_in_the_address_match_nobody(client, world, oidc):
    """The Kelvin sign folds to k in a case-insensitive comparison: never a match."""
    provider = add_provider(world, oidc, client=None, name="Ekbackens egen")
    oidc.add_person("k", email="admin@e\u212abacken.se", email_verified=True)
    sign_in(client, provider, "k")
    assert _me(client) is None


# --- 2 and 7: the first sign-in links, once, and is audited -----------------------------------


def test_first_sign_in_of_someone_with_an_email_address_row(client, world, oidc):
    EmailAddress.objects.create(
        user=world.participant_user, email="pia@solbacka.se", primary=True, verified=False
    )
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    sign_in(client, provider, "pia-1")
    assert _me(client) == str(world.participant_user.pk)
    assert SocialAccount.objects.get(user=world.participant_user).uid == "pia-1"
    linked = _events("accounts.identity.linked")
    assert [(e.actor_id, e.data) for e in linked] == [
        (world.participant_user.pk, {"user": world.participant_user.pk, "by": "address"})
    ]


def test_first_sign_in_at_a_second_provider(client, world, oidc):
    p1 = add_provider(world, oidc)
    p2 = add_provider(world, oidc, client=None, name="Ekbackens egen")
    with scopes_disabled():
        # Pia is a participant of the practice's own provider's practice too.
        assert p2.practice_id == world.practice.pk
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    sign_in(client, p1, "pia-1")
    assert _me(client) == str(world.participant_user.pk)
    client.post(reverse("account_logout"))
    sign_in(client, p2, "pia-1")
    assert _me(client) == str(world.participant_user.pk)
    assert SocialAccount.objects.filter(user=world.participant_user).count() == 2


def test_a_second_identity_at_the_same_provider_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    oidc.add_person("pia-2", email="pia@solbacka.se", email_verified=True)
    sign_in(client, provider, "pia-1")
    client.post(reverse("account_logout"))
    sign_in(client, provider, "pia-2")
    assert _me(client) is None
    assert [e.data for e in _events("accounts.identity.refused")] == [{"reason": "other_identity"}]
    # The admin's link replaces the one there is.
    with scopes_disabled():
        identity_link(
            actor=world.admin, provider=provider, user=world.participant_user, subject="n"
        )
    assert list(
        SocialAccount.objects.filter(user=world.participant_user).values_list("uid", flat=True)
    ) == ["n"]


def test_wrong_audience_is_audited_without_claims(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    oidc.audience = "another-service"
    sign_in(client, provider, "pia-1")
    assert [(e.object_id, e.data) for e in _events("accounts.identity.refused")] == [
        (str(provider.pk), {"reason": "wrong_audience"})
    ]


def test_refusal_is_not_logged_with_the_subject(client, world, oidc, caplog):
    provider = add_provider(world, oidc)
    sign_in(client, provider, "199001011234")
    assert _me(client) is None
    assert "199001011234" not in caplog.text
    assert "199001011234" not in str([e.data for e in _events("accounts.identity.refused")])


# --- 4: nothing enumerates practices or their clients ----------------------------------------


def test_log_in_page_names_no_practice_and_no_client_unasked(client, world, oidc):
    add_provider(world, oidc)
    pages = [
        client.get(reverse("sign_in_practice", args=[slug])).content.decode()
        for slug in ("annan", "ekbacken", "no-such-practice")
    ]
    for page in pages:
        assert "Annan byrå" not in page and "Ekbacken" not in page
        assert "Solbackas inloggning" not in page
    page = client.get(reverse("sign_in_practice", args=["ekbacken"]), {"email": "ny@gmail.com"})
    assert "Solbackas inloggning" not in page.content.decode()
    page = client.get(
        reverse("sign_in_practice", args=["ekbacken"]), {"email": "ny@solbacka.se"}
    ).content.decode()
    assert "Logga in med Solbackas inloggning" in page
    answer = client.get(reverse("sign_in_organisation"), {"practice": "no-such-practice"})
    assert answer["Location"] == reverse("sign_in_practice", args=["no-such-practice"])


def test_allauths_page_of_linked_identities_is_not_there(client, world, oidc):
    add_provider(world, oidc)
    client.force_login(world.foreign_supervisor)
    page = client.get("/accounts/3rdparty/")
    assert page.status_code == 404
    assert "Solbackas inloggning" not in page.content.decode()


# --- 5: the password form tells nothing without the password ---------------------------------


def test_password_form_does_not_tell_an_address_its_organisation(client, world, oidc):
    add_provider(world, oidc, required_for=[Role.PARTICIPANT])
    response = client.post(reverse("account_login"), {"login": "pia@solbacka.se", "password": "x"})
    page = response.content.decode()
    assert "Solbackas inloggning" not in page
    assert "kräver att du loggar in" not in page


# --- 6: a required provider ends the password's other ways in --------------------------------


def test_required_for_ends_existing_password_sessions_and_tokens(client, world, oidc):
    client.post(reverse("account_login"), {"login": "pia@solbacka.se", "password": PASSWORD})
    assert _me(client) == str(world.participant_user.pk)
    with scopes_disabled():
        token, secret = token_create(
            user=world.participant_user, practice=world.practice, name="skript"
        )
    assert token_authenticate(secret) is not None
    add_provider(world, oidc, required_for=[Role.PARTICIPANT])
    page = client.get(reverse("participant_home", args=[world.practice.slug]))
    assert "/accounts/login/" in page["Location"]
    assert _me(client) is None
    assert token_authenticate(secret) is None
    with scopes_disabled(), pytest.raises(ValidationError):
        token_create(user=world.participant_user, practice=world.practice, name="ny")


def test_a_session_through_the_provider_survives_the_requirement(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    sign_in(client, provider, "pia-1")
    with scopes_disabled():
        identity_provider_save(
            actor=world.admin,
            practice=world.practice,
            provider=provider,
            name=provider.name,
            client=world.client,
            server_url=oidc.issuer,
            client_id=oidc.client.client_id,
            required_for=[Role.PARTICIPANT],
        )
    page = client.get(reverse("participant_home", args=[world.practice.slug]))
    assert page.status_code == 200 and _me(client) == str(world.participant_user.pk)


def test_invitation_to_a_required_role_leads_to_the_provider(client, world, oidc):
    provider = add_provider(world, oidc, required_for=[Role.PARTICIPANT])
    with scope(practice=world.practice):
        person = f.ParticipantFactory(practice=world.practice, email="ny@solbacka.se", name="Ny")
        f.GroupMembershipFactory(engagement=world.engagement, participant=person)
        _invitation, token = services.invitation_create(
            actor=world.supervisor,
            practice=world.practice,
            email="ny@solbacka.se",
            name="Nils Ny",
            role=Role.PARTICIPANT,
            participant=person,
        )
    response = client.post(
        reverse("invitation_accept", args=[token]),
        {"name": "Nils Ny", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert _me(client) is None
    page = response.content.decode()
    assert provider.login_path in page and "Logga in med Solbackas inloggning" in page


def test_accepting_a_required_role_while_logged_in_ends_the_password_session(client, world, oidc):
    add_provider(world, oidc, required_for=[Role.PARTICIPANT])
    with scope(practice=world.practice):
        person = f.ParticipantFactory(practice=world.practice, email="rut@solbacka.se", name="R")
        f.GroupMembershipFactory(engagement=world.engagement, participant=person)
        _invitation, token = services.invitation_create(
            actor=world.supervisor,
            practice=world.practice,
            email="rut@solbacka.se",
            name="Rektor Rut",
            role=Role.PARTICIPANT,
            participant=person,
        )
    client.post(reverse("account_login"), {"login": "rut@solbacka.se", "password": PASSWORD})
    assert _me(client) == str(world.contact_user.pk)
    response = client.post(reverse("invitation_accept", args=[token]))
    assert _me(client) is None
    assert "Logga in med Solbackas inloggning" in response.content.decode()


# --- 8 and 9: PKCE, the issuer, single-use codes ---------------------------------------------


def test_sign_in_uses_pkce(client, world, oidc):
    provider = add_provider(world, oidc)
    assert provider.app.settings["oauth_pkce_enabled"] is True
    start = client.post(provider.login_path)
    query = parse_qs(urlsplit(start.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]


def test_provider_whose_discovery_names_another_issuer_is_refused(world, oidc):
    oidc.discovery_issuer = "https://login.example.se/someone-else"
    with pytest.raises(ValidationError) as caught:
        add_provider(world, oidc)
    assert "server_url" in caught.value.error_dict


def test_another_server_address_ends_the_links(world, oidc):
    provider = add_provider(world, oidc)
    with scopes_disabled():
        identity_link(
            actor=world.admin, provider=provider, user=world.participant_user, subject="p"
        )
        identity_provider_save(
            actor=world.admin,
            practice=world.practice,
            provider=provider,
            name=provider.name,
            client=world.client,
            server_url=oidc.issuer + "/v2",
            client_id=oidc.client.client_id,
            required_for=[],
        )
    assert not SocialAccount.objects.filter(provider=provider.app.provider_id).exists()


def _code_and_state(client: Any, provider: Any, subject: str) -> tuple[str, str]:
    start = client.post(provider.login_path)
    at_provider = requests.post(
        start.url, data={"username": subject}, allow_redirects=False, timeout=10
    )
    query = parse_qs(urlsplit(at_provider.headers["Location"]).query)
    return query["code"][0], query["state"][0]


def test_used_code_in_a_new_sign_in_is_refused(client, world, oidc):
    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    code, state = _code_and_state(client, provider, "pia-1")
    callback = provider.callback_path
    client.get(callback, {"code": code, "state": state})
    assert _me(client) == str(world.participant_user.pk)
    client.post(reverse("account_logout"))
    _new_code, new_state = _code_and_state(client, provider, "someone")
    replay = client.get(callback, {"code": code, "state": new_state})
    assert replay.status_code == 400
    assert _me(client) is None


def test_code_caught_from_another_browser_is_refused(client, world, oidc):
    """A code meant for Pia's browser, injected into an attacker's own sign-in: the
    attacker's PKCE verifier does not fit Pia's challenge."""
    from django.test import Client

    provider = add_provider(world, oidc)
    oidc.add_person("pia-1", email="pia@solbacka.se", email_verified=True)
    pias_code, _pias_state = _code_and_state(Client(), provider, "pia-1")
    _code, attackers_state = _code_and_state(client, provider, "nobody")
    client.get(provider.callback_path, {"code": pias_code, "state": attackers_state})
    assert _me(client) is None
    assert pias_code in oidc.codes  # never exchanged


def test_token_dated_in_the_future_says_check_the_clock(client, world, oidc):
    """allauth checks no nbf in the code flow (the token came straight from the provider), but
    a token refused as not yet valid is the clock's fault, never an expiry."""
    provider = add_provider(world, oidc)
    try:
        raise OAuth2Error("Invalid id_token") from jwt.ImmatureSignatureError("nbf")
    except OAuth2Error as exc:
        reason = identity_adapter._reason_of(None, exc, {})
    assert reason == identity_adapter.CLOCK
    with pytest.raises(ImmediateHttpResponse) as caught:
        raise identity_adapter.refused(RequestFactory().get("/"), reason, provider)
    page = caught.value.response.content.decode()
    assert "klocka" in page and "hade gått ut" not in page


# --- 3: fetches from a provider reach public addresses only ----------------------------------


def test_redirect_to_a_private_address_is_not_followed(settings):
    """A public provider address that answers with a redirect into the network: the
    identity adapter's session never follows it."""
    seen: list[str] = []

    class Redirecting(BaseAdapter):
        def send(self, request: Any, **kwargs: Any) -> Any:
            seen.append(request.url)
            answer = requests.Response()
            answer.request, answer.url = request, request.url
            answer.status_code = 302
            answer.headers["Location"] = "http://169.254.169.254/latest/meta-data/"
            answer._content = b"{}"
            return answer

        def close(self) -> None:
            pass

    settings.SSO_PRIVATE_HOSTS = True  # the address's own check passes; the redirect is next
    session = identity_adapter.IdentityAdapter().get_requests_session()
    session.mount("https://", Redirecting())
    session.mount("http://", Redirecting())
    with pytest.raises(requests.TooManyRedirects):
        session.get("https://idp.example.se/.well-known/openid-configuration")
    assert seen == ["https://idp.example.se/.well-known/openid-configuration"]


def test_connection_to_a_private_address_is_refused_whatever_the_name_said(
    settings, monkeypatch, oidc
):
    """The name passed the check (DNS rebinding: it resolved to a public address then), but
    the connection lands on 127.0.0.1: the connected address is checked too."""
    settings.SSO_PRIVATE_HOSTS = False
    monkeypatch.setattr(urlguard, "private_host", lambda host, port: False)
    session = urlguard.public_session(schemes=("http", "https"))
    with pytest.raises(requests.ConnectionError):
        session.get(oidc.issuer + "/.well-known/openid-configuration", timeout=5)


@pytest.mark.parametrize(
    "address", ["100.64.0.1", "169.254.169.254", "10.1.2.3", "::ffff:127.0.0.1", "192.0.2.7"]
)
def test_every_non_public_address_is_private(address):
    assert urlguard.private_address(address)
    assert not urlguard.private_address("93.184.216.34")


# --- 10: nothing left behind ------------------------------------------------------------------


def test_deleting_a_client_takes_its_log_in_secret_and_links_along(world, oidc):
    with scopes_disabled():
        gone = f.ClientFactory(practice=world.practice, name="Nedlagd skola")
        provider = add_provider(world, oidc, client=gone, name="Nedlagda")
        SocialAccount.objects.create(
            provider=provider.app.provider_id, uid="x", user=world.contact_user
        )
        key = provider.app.provider_id
        gone.delete()
    assert not SocialApp.objects.filter(provider_id=key).exists()
    assert not SocialAccount.objects.filter(provider=key).exists()
