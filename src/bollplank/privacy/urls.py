"""URLs of the privacy app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.privacy import views

practice_patterns: list[Any] = [
    path("privacy/retention/", views.retention, name="privacy_retention"),
    path("privacy/processing/", views.processing, name="privacy_processing"),
    path("privacy/erase/", views.erase_find, name="privacy_erase_find"),
    path("privacy/erase/address/", views.erase_address, name="privacy_erase_address"),
]
public_patterns: list[Any] = [
    path("my-data/", views.my_data, name="my_data"),
]
