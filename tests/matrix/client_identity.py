"""Permission matrix rows of a client organisation's own log-in, kept by its contact people
(collected by tests/matrix/__init__.py): only a contact of the provider's client reaches it;
another client's log-in, the practice's own and another practice's answer 404."""

from __future__ import annotations

from typing import Any

from django_scopes import scopes_disabled

from tests import factories as f
from tests.conftest import World
from tests.matrix import ROLES, Case, P
from tests.matrix.identity import provider

# A client contact's page: the contact (Rektor Rut of Solbacka skola) only; staff and
# participants hold no such role (403); another practice's people are no members (404).
CONTACT_ONLY = {**dict.fromkeys(ROLES, 403), "anonymous": 302, "contact": 200, "foreign": 404}
# An object out of the contact's reach: 404 for the contact, the role refusal for the rest.
NOT_THEIRS = {**CONTACT_ONLY, "contact": 404}


def _provider(w: World, *, client: Any = None, practice: Any = None) -> Any:
    return provider(w, client=client, practice=practice, name="Skolans inloggning")


def _own(w: World) -> list[Any]:
    return [P, _provider(w, client=w.client).pk]


def _other_clients(w: World) -> list[Any]:
    with scopes_disabled():
        other = f.ClientFactory(practice=w.practice, name="Norrbacka skola")
    return [P, _provider(w, client=other).pk]


def _practices_own(w: World) -> list[Any]:
    return [P, _provider(w).pk]


def _other_practices(w: World) -> list[Any]:
    with scopes_disabled():
        foreign_client = f.ClientFactory(practice=w.other_practice, name="Solbacka skola")
    return [P, _provider(w, client=foreign_client, practice=w.other_practice).pk]


MATRIX: list[Case] = [
    ("client_identity_providers", "get", lambda w: [P], CONTACT_ONLY),
    ("client_identity_provider_new", "get", lambda w: [P], CONTACT_ONLY),
    ("client_identity_provider_edit", "get", _own, CONTACT_ONLY),
    ("client_identity_provider_people", "get", _own, CONTACT_ONLY),
    ("client_identity_provider_edit", "get", _other_clients, NOT_THEIRS),
    ("client_identity_provider_people", "get", _other_clients, NOT_THEIRS),
    ("client_identity_provider_edit", "get", _practices_own, NOT_THEIRS),
    ("client_identity_provider_people", "get", _practices_own, NOT_THEIRS),
    ("client_identity_provider_edit", "get", _other_practices, NOT_THEIRS),
    ("client_identity_provider_people", "get", _other_practices, NOT_THEIRS),
    # Removing another client's log-in by a post: not found either.
    ("client_identity_provider_edit", "post", _other_clients, NOT_THEIRS),
]
