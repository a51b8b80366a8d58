"""API tokens: created, named, scoped, stored hashed, last use seen, revoked."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_scopes import scopes_disabled

from bollplank.accounts.models import hash_token
from bollplank.api.models import ApiToken
from bollplank.api.services import token_revoke
from tests.conftest import World


def test_token_page_creates_token_shown_once_and_stored_hashed(
    client: Client, world: World
) -> None:
    client.force_login(world.supervisor)
    response = client.post(
        "/p/ekbacken/api-tokens/", {"name": "  Vårt  HR-system ", "scope": "read"}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("bp_") and len(secret) > 40
    with scopes_disabled():
        token = ApiToken.objects.get()
    assert (token.name, token.scope, token.user, token.practice) == (
        "Vårt HR-system",
        "read",
        world.supervisor,
        world.practice,
    )
    assert token.token_hash == hash_token(secret)
    assert secret not in token.token_hash
    # Shown once: the page afterwards lists it by name and prefix only.
    page = client.get("/p/ekbacken/api-tokens/").content.decode()
    assert "Vårt HR-system" in page and secret not in page and secret[:8] in page


def test_token_page_without_name_refused_and_keeps_choice(client: Client, world: World) -> None:
    client.force_login(world.supervisor)
    response = client.post("/p/ekbacken/api-tokens/", {"name": "", "scope": "write"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert response.context["form"]["scope"].value() == "write"
    with scopes_disabled():
        assert ApiToken.objects.count() == 0


def test_token_name_with_html_is_escaped(client: Client, world: World) -> None:
    client.force_login(world.supervisor)
    client.post("/p/ekbacken/api-tokens/", {"name": "<script>x</script>", "scope": "read"})
    page = client.get("/p/ekbacken/api-tokens/").content.decode()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def test_token_page_lists_only_own_tokens(client: Client, world: World, token_for: Any) -> None:
    token_for("admin")
    token_for("supervisor")
    client.force_login(world.admin)
    page = client.get("/p/ekbacken/api-tokens/")
    assert [t.name for t in page.context["tokens"]] == ["admin script"]


def test_token_revoke_stops_it(client: Client, world: World, api: Any) -> None:
    supervisor = api("supervisor")
    assert supervisor.get("/meetings/").status_code == 200
    with scopes_disabled():
        token = ApiToken.objects.get(user=world.supervisor)
    client.force_login(world.supervisor)
    response = client.post(f"/p/ekbacken/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    with scopes_disabled():
        token.refresh_from_db()
    assert token.revoked_at is not None
    assert supervisor.get("/meetings/").status_code == 401


def test_token_revoke_of_someone_elses_token_is_404(
    client: Client, world: World, token_for: Any
) -> None:
    token_for("admin")
    with scopes_disabled():
        token = ApiToken.objects.get(user=world.admin)
    client.force_login(world.supervisor)
    assert client.post(f"/p/ekbacken/api-tokens/{token.pk}/revoke/").status_code == 404
    with scopes_disabled():
        token.refresh_from_db()
    assert token.revoked_at is None


def test_token_last_use_is_recorded(world: World, api: Any) -> None:
    api("supervisor").get("/meetings/")
    with scopes_disabled():
        token = ApiToken.objects.get(user=world.supervisor)
    assert token.last_used_at is not None


def test_api_without_or_with_bad_token_is_401(world: World, api: Any) -> None:
    assert api(None).get("/meetings/").status_code == 401
    bad = api(None)
    bad.headers = {"Authorization": "Bearer bp_not-a-token"}
    assert bad.get("/meetings/").status_code == 401
    bad.headers = {"Authorization": "Basic Zm9vOmJhcg=="}
    assert bad.get("/meetings/").status_code == 401


def test_api_token_of_person_who_left_practice_is_401(world: World, api: Any) -> None:
    from bollplank.accounts.models import Membership

    supervisor = api("supervisor")
    with scopes_disabled():
        Membership.objects.filter(user=world.supervisor).delete()
    assert supervisor.get("/meetings/").status_code == 401


def test_api_revoked_token_is_401_even_when_revoked_twice(world: World, api: Any) -> None:
    supervisor = api("supervisor")
    with scopes_disabled():
        token = ApiToken.objects.get(user=world.supervisor)
        token_revoke(user=world.supervisor, token=token)
        token_revoke(user=world.supervisor, token=token)
    assert supervisor.get("/clients/").status_code == 401


def test_api_read_token_cannot_write(world: World, api: Any) -> None:
    reader = api("supervisor", scope="read")
    response = reader.post(
        f"/meetings/{world.meeting.pk}/cancel", {"cancelled_by": "supervisor", "reason": "Sjukdom"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Denna token får bara läsa."}
    assert reader.get(f"/meetings/{world.meeting.pk}").status_code == 200
