"""Permission matrix rows of log-in through an organisation (collected by
tests/matrix/__init__.py): the admin's providers, and the public pages where a person chooses
their organisation's log-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_scopes import scopes_disabled

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, ROLES, Case, P


def provider(
    w: World, *, practice: Any = None, client: Any = None, name: str = "Kommunens inloggning"
) -> Any:
    """An OpenID Connect log-in of ``practice`` (the world's own by default), the practice's own
    or, given ``client``, that client organisation's."""
    from bollplank.accounts.identity import identity_provider_save

    practice = practice or w.practice
    actor = w.admin if practice == w.practice else w.foreign_supervisor
    with scopes_disabled():
        return identity_provider_save(
            actor=actor,
            practice=practice,
            name=name,
            client=client,
            server_url="https://login.example.se",
            client_id="bollplank",
            secret="hemligt",
            required_for=[],
        )


def _own(w: World) -> list[Any]:
    return [P, provider(w).pk]


def _foreign(w: World) -> list[Any]:
    return [P, provider(w, practice=w.other_practice).pk]


PUBLIC = dict.fromkeys(ROLES, 200)

MATRIX: list[Case] = [
    ("identity_providers", "get", lambda w: [P], ADMIN_ONLY),
    ("identity_provider_new", "get", lambda w: [P], ADMIN_ONLY),
    ("identity_provider_edit", "get", _own, ADMIN_ONLY),
    ("identity_provider_people", "get", _own, ADMIN_ONLY),
    # Anyone may name a practice and, with their address, see its log-ins through
    # organisations: the same page for any short name, naming no practice and no client.
    ("sign_in_organisation", "get", lambda w: [], PUBLIC),
    ("sign_in_practice", "get", lambda w: [P], PUBLIC),
    ("sign_in_practice", "get", lambda w: ["no-such-practice"], PUBLIC),
    # allauth's list of one's linked identities is not offered to anyone.
    ("socialaccount_connections", "get", lambda w: [], dict.fromkeys(ROLES, 404)),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("identity_provider_edit", _foreign),
    ("identity_provider_people", _foreign),
]
