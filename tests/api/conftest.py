"""Tokens for the people of the shared `world` fixture, and a client that sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from bollplank.api.services import token_create
from tests.conftest import World


def people(world: World) -> dict[str, tuple[Any, Any]]:
    """Each role of the matrix as (user, practice)."""
    return {
        "admin": (world.admin, world.practice),
        "supervisor": (world.supervisor, world.practice),
        "other_supervisor": (world.other_supervisor, world.practice),
        "contact": (world.contact_user, world.practice),
        "participant": (world.participant_user, world.practice),
        "outsider": (world.outsider_participant_user, world.practice),
        "foreign": (world.foreign_supervisor, world.other_practice),
    }


@pytest.fixture
def token_for(world: World) -> Callable[..., str]:
    def make(role: str, scope: str = "write") -> str:
        user, practice = people(world)[role]
        with scopes_disabled():
            return token_create(user=user, practice=practice, name=f"{role} script", scope=scope)[1]

    return make


class ApiClient:
    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return getattr(self.client, method)(
            "/api/v1" + path, data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        return self.send("post", path, body, raw=raw)


@pytest.fixture
def api(token_for: Callable[..., str]) -> Callable[..., ApiClient]:
    def make(role: str | None, scope: str = "write") -> ApiClient:
        return ApiClient(token_for(role, scope) if role else None)

    return make
