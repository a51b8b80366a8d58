"""Permission matrix rows of the mentoring app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import ROLES, STAFF_ONLY, Case, P
from tests.mentoring import helpers as h

PUBLIC = dict.fromkeys(ROLES, 200)
# A POST that ends in a redirect back to the programme page.
STAFF_POST = {**STAFF_ONLY, "admin": 302, "supervisor": 302, "other_supervisor": 302}

MATRIX: list[Case] = [
    ("mentoring_programmes", "get", lambda w: [P], STAFF_ONLY),
    ("mentoring_programme_new", "get", lambda w: [P], STAFF_ONLY),
    ("mentoring_programme", "get", lambda w: [P, h.programme_pk(w)], STAFF_ONLY),
    ("mentoring_programme_edit", "get", lambda w: [P, h.programme_pk(w)], STAFF_ONLY),
    ("mentoring_signups", "get", lambda w: [P, h.programme_pk(w)], STAFF_ONLY),
    ("mentoring_match", "post", lambda w: [P, h.programme_pk(w)], STAFF_POST),
    ("mentoring_publish", "post", lambda w: [P, h.programme_pk(w)], STAFF_POST),
    # Without mentee/mentor in the POST: not found, after the role check.
    (
        "mentoring_pair_rule",
        "post",
        lambda w: [P, h.programme_pk(w)],
        {**STAFF_ONLY, "admin": 404, "supervisor": 404, "other_supervisor": 404},
    ),
    # Public: the link is the permission; the same page for everyone.
    ("mentoring_signup", "get", lambda w: [h.signup_token(w)], PUBLIC),
    ("mentoring_me", "get", lambda w: [h.me_token(w)], PUBLIC),
]


def _foreign_programme(w: World) -> list[Any]:
    from django.utils import timezone
    from django_scopes import scope

    from bollplank.mentoring import services

    today = timezone.localdate()
    with scope(practice=w.other_practice):
        p = services.programme_save(
            actor=w.foreign_supervisor,
            practice=w.other_practice,
            name="Annan",
            starts_on=today,
            ends_on=today,
            signup_closes_on=today,
        )
    return [P, p.pk]


FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("mentoring_programme", _foreign_programme),
    ("mentoring_programme_edit", _foreign_programme),
    ("mentoring_signups", _foreign_programme),
]
