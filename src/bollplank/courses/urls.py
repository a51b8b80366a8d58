"""URLs of the courses app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.courses import views

practice_patterns: list[Any] = [
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path(
        "courses/<int:pk>/days/<int:day_pk>/attendance/",
        views.course_attendance,
        name="course_attendance",
    ),
    path(
        "courses/<int:pk>/registrations/<int:reg_pk>/cancel/",
        views.registration_cancel_staff,
        name="course_registration_cancel",
    ),
    path(
        "courses/<int:pk>/registrations/<int:reg_pk>/certificate/",
        views.course_certificate,
        name="course_certificate",
    ),
    path("courses/<int:pk>/follow-up/", views.course_follow_up, name="course_follow_up"),
    path(
        "billing/run/registrations/<int:pk>/client/",
        views.registration_client,
        name="registration_client",
    ),
]
public_patterns: list[Any] = [
    path("kurser/anmalan/<str:token>/", views.registration_cancel, name="registration_cancel"),
    path("kurser/<slug:practice_slug>/<int:pk>/", views.course_public, name="course_public"),
]
