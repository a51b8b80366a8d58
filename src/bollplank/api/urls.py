"""URLs of the api app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.api import views
from bollplank.api.api import api

practice_patterns: list[Any] = [
    path("api-tokens/", views.token_list, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
public_patterns: list[Any] = [path("api/v1/", api.urls)]
