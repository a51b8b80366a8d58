"""Shared pieces of the permission matrix (tests/test_permissions.py).

Each newer app keeps its own rows in tests/matrix/<app>.py as `MATRIX` and `FOREIGN_OBJECTS`,
so that apps grow without editing one long file; `app_cases()` collects them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from tests.conftest import World

ROLES = (
    "anonymous",
    "admin",
    "supervisor",
    "other_supervisor",
    "contact",
    "participant",
    "outsider",
    "foreign",
)

# Shorthands for the common rows.
STAFF_ONLY = {
    "anonymous": 302,
    "admin": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "contact": 403,
    "participant": 403,
    "outsider": 403,
    "foreign": 404,
}
OWN_ENGAGEMENT = {**STAFF_ONLY, "other_supervisor": 404}
ADMIN_ONLY = {**STAFF_ONLY, "supervisor": 403, "other_supervisor": 403}
# The protected room: the supervisor who leads it, no one else — practice admins included.
OWN_SUPERVISOR = {**STAFF_ONLY, "admin": 403, "other_supervisor": 404}
SUPERVISORS = {**STAFF_ONLY, "admin": 403}
PARTICIPANTS = {
    "anonymous": 302,
    "admin": 403,
    "supervisor": 403,
    "other_supervisor": 403,
    "contact": 403,
    "participant": 200,
    "outsider": 200,
    "foreign": 404,
}
EVERY_MEMBER = {
    "anonymous": 302,
    "admin": 200,
    "supervisor": 200,
    "other_supervisor": 200,
    "contact": 200,
    "participant": 200,
    "outsider": 200,
    "foreign": 404,
}


Case = tuple[str, str, Callable[[World], list[Any]], dict[str, int]]
P = "ekbacken"

APPS = (
    "evaluations",
    "courses",
    "directory",
    "mentoring",
    "mentoring_meetings",
    "booking",
    "notifications",
    "api",
    "privacy",
    "video",
    "billing_payments",
    "procurement",
    "billing_delivery",
    "billing_reminders",
    "agreements",
    "identity",
    "saml",
    "client_identity",
)


def app_cases() -> tuple[list[Case], list[tuple[str, Callable[[World], list[Any]]]]]:
    """Every app module's MATRIX rows and FOREIGN_OBJECTS rows."""
    matrix: list[Case] = []
    foreign: list[tuple[str, Callable[[World], list[Any]]]] = []
    for app in APPS:
        module = importlib.import_module(f"tests.matrix.{app}")
        matrix += module.MATRIX
        foreign += getattr(module, "FOREIGN_OBJECTS", [])
    return matrix, foreign
