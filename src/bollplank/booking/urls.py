"""URLs of the booking app. `practice_patterns` are mounted under /p/<practice_slug>/,
`public_patterns` at the site root (see bollplank/urls.py)."""

from typing import Any

from django.urls import path

from bollplank.booking import views

practice_patterns: list[Any] = [
    path("booking/", views.booking_home, name="booking_home"),
    path("booking/engagements/<int:pk>/", views.book, name="booking_book"),
    path("booking/meetings/<int:pk>/move/", views.move, name="booking_move"),
    path("booking/meetings/<int:pk>/cancel/", views.cancel, name="booking_cancel"),
    path("booking/availability/", views.availability, name="booking_availability"),
    path(
        "booking/availability/hours/<int:pk>/remove/",
        views.hours_remove,
        name="booking_hours_remove",
    ),
    path(
        "booking/availability/exceptions/<int:pk>/remove/",
        views.exception_remove,
        name="booking_exception_remove",
    ),
    path("booking/calendars/", views.calendars, name="booking_calendars"),
    path(
        "booking/calendars/<int:pk>/refresh/",
        views.calendar_refresh,
        name="booking_calendar_refresh",
    ),
    path(
        "booking/calendars/<int:pk>/remove/",
        views.calendar_remove,
        name="booking_calendar_remove",
    ),
    path("booking/links/", views.links, name="booking_links"),
]
public_patterns: list[Any] = [
    path("book/<str:token>/", views.booking_link, name="booking_link"),
    path("book/<str:token>/ics/", views.booking_link_ics, name="booking_link_ics"),
]
