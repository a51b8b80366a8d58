"""URLs of the directory app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.directory import views

practice_patterns: list[Any] = [
    path("directory/settings/", views.directory_settings, name="directory_settings"),
    path("directory/profile/", views.profile_edit, name="profile_edit"),
    path("inquiries/", views.inquiry_list, name="inquiry_list"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/convert/", views.inquiry_convert, name="inquiry_convert"),
]
# Public pages of a published practice: no login.
public_patterns: list[Any] = [
    path("om/<slug:practice_slug>/", views.practice_public, name="directory_practice"),
    path(
        "om/<slug:practice_slug>/handledare/<int:pk>/",
        views.supervisor_public,
        name="directory_supervisor",
    ),
    path(
        "om/<slug:practice_slug>/handledare/<int:pk>/foto/",
        views.supervisor_photo,
        name="directory_photo",
    ),
    path("om/<slug:practice_slug>/jamfor/", views.compare, name="directory_compare"),
    path("om/<slug:practice_slug>/forfragan/", views.inquiry_new, name="directory_inquiry"),
    path(
        "om/<slug:practice_slug>/forfragan/skickad/",
        views.inquiry_sent,
        name="directory_inquiry_sent",
    ),
]
