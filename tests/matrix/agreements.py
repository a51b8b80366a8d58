"""Permission matrix rows of the supervision agreement (collected by tests/matrix/__init__.py).
The parties are the practice (the engagement's supervisor, the admins) and the client's
contacts; participants are not parties and see nothing of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import OWN_ENGAGEMENT, Case, P


def _agreement_of(engagement: Any) -> int:
    """A version of the engagement's agreement, made without its PDF (the rows only read it)."""
    from django_scopes import scope

    from bollplank.agreements.models import Agreement
    from bollplank.agreements.terms import terms_of
    from bollplank.core import clock

    with scope(practice=engagement.practice):
        return Agreement.objects.create(
            practice=engagement.practice,
            engagement=engagement,
            version=1,
            terms=terms_of(engagement),
            document=b"%PDF-1.7",
            sha256="0" * 64,
            created_at=clock.now(),
        ).pk


def _agreement(w: World) -> list[Any]:
    return [P, _agreement_of(w.engagement)]


PARTIES = {**OWN_ENGAGEMENT, "contact": 200}
CLIENT_CONTACT_ONLY = {
    "anonymous": 302,
    "admin": 403,
    "supervisor": 403,
    "other_supervisor": 403,
    "contact": 200,
    "participant": 403,
    "outsider": 403,
    "foreign": 404,
}

MATRIX: list[Case] = [
    ("engagement_agreements", "get", lambda w: [P, w.engagement.pk], OWN_ENGAGEMENT),
    # An empty form: back to the versions with a message (302), nothing made.
    (
        "agreement_create",
        "post",
        lambda w: [P, w.engagement.pk],
        {**OWN_ENGAGEMENT, "admin": 302, "supervisor": 302},
    ),
    ("agreement_detail", "get", _agreement, PARTIES),
    ("agreement_pdf", "get", _agreement, PARTIES),
    # Without the box ticked: back to the agreement with a message (302), nothing accepted.
    ("agreement_accept", "post", _agreement, {**CLIENT_CONTACT_ONLY, "contact": 302}),
    ("client_agreements", "get", lambda w: [P], CLIENT_CONTACT_ONLY),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("engagement_agreements", lambda w: [P, w.foreign_engagement.pk]),
    ("agreement_create", lambda w: [P, w.foreign_engagement.pk]),
    ("agreement_detail", lambda w: [P, _agreement_of(w.foreign_engagement)]),
    ("agreement_pdf", lambda w: [P, _agreement_of(w.foreign_engagement)]),
    ("agreement_accept", lambda w: [P, _agreement_of(w.foreign_engagement)]),
]
