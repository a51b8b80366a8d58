"""Permission matrix rows of the practice admin's SAML 2.0 log-in pages (collected by
tests/matrix/__init__.py). allauth's own SAML pages are not ours to guard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, Case, P


def _saml_provider(practice: Any, admin: Any) -> Any:
    from django_scopes import scope

    from bollplank.accounts.identity_saml import saml_provider_save
    from tests.accounts.saml_idp import self_signed_certificate

    cert, _key = self_signed_certificate("idp.solbacka.invalid")
    with scope(practice=practice):
        return saml_provider_save(
            actor=admin,
            practice=practice,
            name="Solbacka skolas inloggning",
            client=None,
            entity_id="https://idp.solbacka.invalid/saml",
            sso_url="https://idp.solbacka.invalid/sso",
            x509cert=cert.decode(),
            verifies_email=False,
            required_for=[],
        )


MATRIX: list[Case] = [
    ("identity_saml_new", "get", lambda w: [P], ADMIN_ONLY),
    (
        "identity_saml_edit",
        "get",
        lambda w: [P, _saml_provider(w.practice, w.admin).pk],
        ADMIN_ONLY,
    ),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    (
        "identity_saml_edit",
        lambda w: [P, _saml_provider(w.other_practice, w.foreign_supervisor).pk],
    ),
]
