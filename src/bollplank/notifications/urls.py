"""URLs of the notifications app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.notifications import views

practice_patterns: list[Any] = [
    path("outbox/", views.outbox, name="notifications_outbox"),
    path("outbox/<int:pk>/", views.outbox_mail, name="notifications_outbox_mail"),
    path("outbox/<int:pk>/retry/", views.outbox_retry, name="notifications_outbox_retry"),
    path("email-preferences/", views.preferences, name="notifications_preferences"),
]
public_patterns: list[Any] = [
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
]
