"""Permission matrix rows of the privacy app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, Case, P

# Pages about the person themselves, outside any practice: every logged-in person.
OWN_ACCOUNT = {
    "anonymous": 302,
    "admin": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "contact": 200,
    "participant": 200,
    "outsider": 200,
    "foreign": 200,
}

MATRIX: list[Case] = [
    # allauth.usersessions: the person's own login sessions, and ending them.
    ("usersessions_list", "get", lambda w: [], OWN_ACCOUNT),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = []

MATRIX += [
    ("my_data", "get", lambda w: [], OWN_ACCOUNT),
    ("privacy_retention", "get", lambda w: [P], ADMIN_ONLY),
    ("privacy_processing", "get", lambda w: [P], ADMIN_ONLY),
]

# Erasing a person from the browser (issue 10): the admin only. The erasure page itself is
# addressed by e-mail (`?email=`), never by a person's id: without an address, or for one the
# practice keeps nothing about, it is not found — for its admin too.
MATRIX += [
    ("privacy_erase_find", "get", lambda w: [P], ADMIN_ONLY),
]

MATRIX += [
    ("privacy_erase_address", "get", lambda w: [P], {**ADMIN_ONLY, "admin": 404}),
]
