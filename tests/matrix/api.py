"""Permission matrix rows of the api app (collected by tests/matrix/__init__.py).

The API's own operations authenticate by token: tests/api/test_matrix.py covers them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import EVERY_MEMBER, Case, P

MATRIX: list[Case] = [
    ("api_tokens", "get", lambda w: [P], EVERY_MEMBER),
    (
        "api_token_revoke",
        "post",
        # Nobody's token 999999: 404 for every member, the login redirect for the anonymous.
        lambda w: [P, 999999],
        {**EVERY_MEMBER, **{r: 404 for r in EVERY_MEMBER if r != "anonymous"}},
    ),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = []
