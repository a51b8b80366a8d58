"""URLs of the agreements app, mounted under /p/<practice_slug>/ (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.agreements import views

practice_patterns: list[Any] = [
    path(
        "engagements/<int:pk>/agreement/",
        views.engagement_agreements,
        name="engagement_agreements",
    ),
    path(
        "engagements/<int:pk>/agreement/new/",
        views.agreement_create,
        name="agreement_create",
    ),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/pdf/", views.agreement_download, name="agreement_pdf"),
    path("agreements/<int:pk>/accept/", views.agreement_accept, name="agreement_accept"),
    path("client/agreements/", views.client_agreement_list, name="client_agreements"),
]
