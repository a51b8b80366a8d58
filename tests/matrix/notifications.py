"""Permission matrix rows of the notifications app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django_scopes import scopes_disabled

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, EVERY_MEMBER, ROLES, Case, P


def _mail(practice: Any) -> int:
    from bollplank.notifications.models import OutgoingMail

    with scopes_disabled():
        return OutgoingMail.objects.create(
            practice=practice, kind="other", to="x@example.se", subject="Hej", text="Hej"
        ).pk


def _unsubscribe_token(w: World) -> list[Any]:
    from bollplank.notifications.outbox import unsubscribe_token

    return [unsubscribe_token("pia@solbacka.se", "reminder")]


MATRIX: list[Case] = [
    ("notifications_outbox", "get", lambda w: [P], ADMIN_ONLY),
    ("notifications_outbox_mail", "get", lambda w: [P, _mail(w.practice)], ADMIN_ONLY),
    # A mail that has not failed: the admin is told so and sent back to the outbox.
    (
        "notifications_outbox_retry",
        "post",
        lambda w: [P, _mail(w.practice)],
        {**ADMIN_ONLY, "admin": 302},
    ),
    ("notifications_preferences", "get", lambda w: [P], EVERY_MEMBER),
    # Public: the signed link in an e-mail, no login.
    ("notifications_unsubscribe", "get", _unsubscribe_token, dict.fromkeys(ROLES, 200)),
]
# Another practice's mail: tests/notifications/test_notifications.py (admins only, so
# supervisors get 403 before any lookup and the shared foreign-object test does not fit).
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = []
