"""Permission matrix rows of the directory app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.directory.helpers import inquiry, public_world
from tests.matrix import ADMIN_ONLY, ROLES, STAFF_ONLY, SUPERVISORS, Case, P

PUBLIC = dict.fromkeys(ROLES, 200)


def _a(w: World) -> int:
    return public_world(w)["a"].pk


def _inquiry(w: World) -> int:
    return inquiry(w.practice).pk


def _foreign_inquiry(w: World) -> list[Any]:
    return [P, inquiry(w.other_practice).pk]


MATRIX: list[Case] = [
    ("directory_practice", "get", lambda w: [P, _a(w)][:1], PUBLIC),
    ("directory_supervisor", "get", lambda w: [P, _a(w)], PUBLIC),
    ("directory_photo", "get", lambda w: [P, _a(w)], PUBLIC),
    ("directory_compare", "get", lambda w: [P, _a(w)][:1], PUBLIC),
    ("directory_inquiry", "get", lambda w: [P, _a(w)][:1], PUBLIC),
    ("directory_inquiry_sent", "get", lambda w: [P, _a(w)][:1], PUBLIC),
    ("directory_settings", "get", lambda w: [P], ADMIN_ONLY),
    ("profile_edit", "get", lambda w: [P], SUPERVISORS),
    ("inquiry_list", "get", lambda w: [P], STAFF_ONLY),
    ("inquiry_detail", "get", lambda w: [P, _inquiry(w)], STAFF_ONLY),
    (
        "inquiry_convert",
        "post",
        lambda w: [P, _inquiry(w)],
        # An empty POST: the form asks for a supervisor (400) — reached, not refused.
        {**STAFF_ONLY, "admin": 400, "supervisor": 400, "other_supervisor": 400},
    ),
    (
        # The inquiry page's forms (status, answer, a first talk's booking link) post here
        # with an action; an empty POST names none: reached, and not found.
        "inquiry_detail",
        "post",
        lambda w: [P, _inquiry(w)],
        {**STAFF_ONLY, "admin": 404, "supervisor": 404, "other_supervisor": 404},
    ),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = [
    ("inquiry_detail", _foreign_inquiry),
]
