"""Permission matrix rows of the mentoring app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bollplank.core import clock
from tests.conftest import World
from tests.matrix import ROLES, STAFF_ONLY, Case, P
from tests.mentoring import helpers as h

PUBLIC = dict.fromkeys(ROLES, 200)
# Coordinators: the practice's staff, and a client contact for their own client's programmes.
COORDINATORS = {**STAFF_ONLY, "contact": 200}
# A programme of the practice's own, or of another client: the contact does not find it.
NOT_THEIRS = {**STAFF_ONLY, "contact": 404}
# A POST that ends in a redirect back to the programme page.
POST = {"admin": 302, "supervisor": 302, "other_supervisor": 302}
MINE = h.client_programme_pk
PRACTICE_ONLY = h.programme_pk
OTHER_CLIENT = h.other_client_programme_pk

MATRIX: list[Case] = [
    ("mentoring_programmes", "get", lambda w: [P], COORDINATORS),
    ("mentoring_programme_new", "get", lambda w: [P], COORDINATORS),
    # Each programme page three times: run for the contact's client (first, so that the table
    # in docs/security.md shows it), the practice's own, another client's.
]
for _name, _method, _ok in (
    ("mentoring_programme", "get", COORDINATORS),
    ("mentoring_programme_edit", "get", COORDINATORS),
    ("mentoring_signups", "get", COORDINATORS),
    ("mentoring_signups_import", "get", COORDINATORS),
    ("mentoring_match", "post", {**COORDINATORS, **POST, "contact": 302}),
    ("mentoring_publish", "post", {**COORDINATORS, **POST, "contact": 302}),
    # Without mentee/mentor in the POST: not found, after the role and programme checks.
    (
        "mentoring_pair_rule",
        "post",
        {**COORDINATORS, "admin": 404, "supervisor": 404, "other_supervisor": 404, "contact": 404},
    ),
):
    _staff_ok = {k: v for k, v in _ok.items() if k in ("admin", "supervisor", "other_supervisor")}
    MATRIX += [
        (_name, _method, lambda w: [P, MINE(w)], _ok),
        (_name, _method, lambda w: [P, PRACTICE_ONLY(w)], {**NOT_THEIRS, **_staff_ok}),
        (_name, _method, lambda w: [P, OTHER_CLIENT(w)], {**NOT_THEIRS, **_staff_ok}),
    ]
MATRIX += [
    # Public: the link is the permission; the same page for everyone.
    ("mentoring_signup", "get", lambda w: [h.signup_token(w)], PUBLIC),
    ("mentoring_me", "get", lambda w: [h.me_token(w)], PUBLIC),
]


def _foreign_programme(w: World) -> list[Any]:
    from django_scopes import scope

    from bollplank.mentoring import services

    today = clock.today()
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
    ("mentoring_signups_import", _foreign_programme),
]
