"""URLs of the mentoring app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.mentoring import meeting_views, views

practice_patterns: list[Any] = [
    path("mentoring/", views.programme_list, name="mentoring_programmes"),
    path("mentoring/new/", views.programme_new, name="mentoring_programme_new"),
    path("mentoring/<int:pk>/", views.programme_detail, name="mentoring_programme"),
    path("mentoring/<int:pk>/edit/", views.programme_edit, name="mentoring_programme_edit"),
    path("mentoring/<int:pk>/signups/", views.programme_signups, name="mentoring_signups"),
    path(
        "mentoring/<int:pk>/signups/import/",
        views.programme_signups_import,
        name="mentoring_signups_import",
    ),
    path("mentoring/<int:pk>/match/", views.programme_match, name="mentoring_match"),
    path("mentoring/<int:pk>/pair-rule/", views.programme_pair_rule, name="mentoring_pair_rule"),
    path("mentoring/<int:pk>/publish/", views.programme_publish, name="mentoring_publish"),
]
public_patterns: list[Any] = [
    path("mentoring/signup/<str:token>/", views.signup, name="mentoring_signup"),
    path("mentoring/me/<str:token>/", views.me, name="mentoring_me"),
    path(
        "mentoring/me/<str:token>/meetings/",
        meeting_views.me_meetings,
        name="mentoring_meetings",
    ),
    path(
        "mentoring/me/<str:token>/meetings/<int:pk>/move/",
        meeting_views.me_meeting_move,
        name="mentoring_meeting_move",
    ),
    path(
        "mentoring/me/<str:token>/meetings/<int:pk>.ics",
        meeting_views.me_meeting_ics,
        name="mentoring_meeting_ics",
    ),
    path("mentoring/me/<str:token>/calendar.ics", meeting_views.me_feed, name="mentoring_feed"),
]
