"""URLs of the booking app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

practice_patterns: list[Any] = []
public_patterns: list[Any] = []
