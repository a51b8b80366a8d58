"""A practice's "two-factor login required" holds on every way to its data: its pages, the
person's data export, API tokens and calendar feeds (core.tenancy.second_factor_missing)."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from bollplank.api.services import token_create
from bollplank.meetings.services import feed_create
from tests.conftest import World

SETUP = reverse("mfa_activate_totp")


def _require_for_staff(world: World) -> None:
    world.practice.require_mfa_for_staff = True
    world.practice.save()


def _give_second_factor(user: object) -> None:
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})


def test_data_export_asks_for_the_second_factor_first(client: Client, world: World) -> None:
    _require_for_staff(world)
    client.force_login(world.supervisor)
    page = client.get(reverse("my_data"))
    assert (page.status_code, page["Location"]) == (302, SETUP)
    for fmt in ("json", "html"):
        export = client.post(reverse("my_data"), {"format": fmt})
        assert (export.status_code, export["Location"]) == (302, SETUP)
        assert "Content-Disposition" not in export
    _give_second_factor(world.supervisor)
    export = client.post(reverse("my_data"), {"format": "json"})
    assert export.status_code == 200
    assert json.loads(export.content)  # the whole export, once the second factor is there


def test_data_export_follows_the_role_the_practice_names(client: Client, world: World) -> None:
    # Required of participants only: a supervisor's export is not held back, a participant's is.
    world.practice.require_mfa_for_participants = True
    world.practice.save()
    client.force_login(world.supervisor)
    assert client.post(reverse("my_data"), {"format": "json"}).status_code == 200
    client.force_login(world.participant_user)
    assert client.post(reverse("my_data"), {"format": "json"})["Location"] == SETUP


def test_data_export_of_anonymous_visitor_asks_to_log_in(client: Client, db: None) -> None:
    response = client.post(reverse("my_data"), {"format": "json"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_old_api_token_is_refused_once_the_practice_requires_two_factor(world: World) -> None:
    with scopes_disabled():
        _token, secret = token_create(user=world.supervisor, practice=world.practice, name="HR")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/clients/").status_code == 200
    _require_for_staff(world)
    refused = api.get("/api/v1/clients/")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/json"
    assert "tvåstegsinloggning" in refused.json()["detail"]
    assert world.client.name not in refused.content.decode()
    _give_second_factor(world.supervisor)
    answered = api.get("/api/v1/clients/")
    assert answered.status_code == 200
    assert world.client.name in answered.content.decode()


def test_api_token_of_another_practice_is_not_held_back(world: World) -> None:
    # The rule is the token's practice's: another practice's requirement does not reach it.
    _require_for_staff(world)
    with scopes_disabled():
        _token, secret = token_create(
            user=world.foreign_supervisor, practice=world.other_practice, name="x"
        )
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/clients/").status_code == 200


def test_no_token_is_made_without_the_required_second_factor(world: World) -> None:
    _require_for_staff(world)
    with scopes_disabled(), pytest.raises(ValidationError, match="tvåstegsinloggning"):
        token_create(user=world.supervisor, practice=world.practice, name="HR")
    _give_second_factor(world.supervisor)
    with scopes_disabled():
        _token, secret = token_create(user=world.supervisor, practice=world.practice, name="HR")
    assert secret.startswith("bp_")


def test_token_page_sends_to_set_up_the_second_factor(client: Client, world: World) -> None:
    _require_for_staff(world)
    client.force_login(world.supervisor)
    response = client.post("/p/ekbacken/api-tokens/", {"name": "HR", "scope": "read"})
    assert (response.status_code, response["Location"]) == (302, SETUP)


def test_old_calendar_feed_is_refused_once_the_practice_requires_two_factor(
    client: Client, world: World
) -> None:
    with scopes_disabled():
        _feed, token = feed_create(user=world.supervisor, practice=world.practice)
    assert client.get(reverse("feed", args=[token])).status_code == 200
    _require_for_staff(world)
    refused = client.get(reverse("feed", args=[token]))
    assert refused.status_code == 403
    assert b"BEGIN:VCALENDAR" not in refused.content
    _give_second_factor(world.supervisor)
    assert b"BEGIN:VCALENDAR" in client.get(reverse("feed", args=[token])).content
