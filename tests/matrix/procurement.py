"""Permission matrix rows of the practice's data processing agreement (collected by
tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import ADMIN_ONLY, Case, P

MATRIX: list[Case] = [
    ("processing_agreement", "get", lambda w: [P], ADMIN_ONLY),
]
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = []
