"""Permission matrix rows of the booking app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.conftest import World
from tests.matrix import Case

MATRIX: list[Case] = []
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = []
