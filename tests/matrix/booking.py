"""Permission matrix rows of the booking app (collected by tests/matrix/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.booking import helpers as h
from tests.conftest import World
from tests.matrix import ROLES, SUPERVISORS, Case, P

# A participant's own booking pages: other roles are refused, another participant's
# engagement or meeting is not found.
OWN_BOOKING = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": 302,
    "participant": 200,
    "outsider": 404,
    "foreign": 404,
}
PUBLIC = dict.fromkeys(ROLES, 200)
SUPERVISOR_POST = {**SUPERVISORS, "supervisor": 302, "other_supervisor": 404}

MATRIX: list[Case] = [
    ("booking_home", "get", lambda w: [P], {**OWN_BOOKING, "outsider": 200}),
    ("booking_book", "get", lambda w: [P, h.individual(w).pk], OWN_BOOKING),
    ("booking_move", "get", lambda w: [P, h.booked(w).pk], OWN_BOOKING),
    ("booking_cancel", "post", lambda w: [P, h.booked(w).pk], {**OWN_BOOKING, "participant": 302}),
    ("booking_availability", "get", lambda w: [P], SUPERVISORS),
    ("booking_hours_remove", "post", lambda w: [P, h.hours_pk(w)], SUPERVISOR_POST),
    ("booking_exception_remove", "post", lambda w: [P, h.exception_pk(w)], SUPERVISOR_POST),
    ("booking_calendars", "get", lambda w: [P], SUPERVISORS),
    (
        "booking_calendar_refresh",
        "post",
        lambda w: [P, h.calendar_pk(w, url="https://calendar.invalid/x.ics")],
        SUPERVISOR_POST,
    ),
    ("booking_calendar_remove", "post", lambda w: [P, h.calendar_pk(w)], SUPERVISOR_POST),
    ("booking_links", "get", lambda w: [P], SUPERVISORS),
    # Public: the secret link is the permission; the same page for everyone.
    ("booking_link", "get", lambda w: [h.open_link_token(w)], PUBLIC),
    ("booking_link_ics", "get", lambda w: [h.used_link_token(w)], PUBLIC),
    # A first talk's link, sent from an inquiry: open, then booked (the page moves and
    # cancels it), and the booked talk's calendar file.
    ("booking_link", "get", lambda w: [h.first_talk_token(w)], PUBLIC),
    ("booking_link", "get", lambda w: [h.first_talk_token(w, book=True)], PUBLIC),
    ("booking_link_ics", "get", lambda w: [h.first_talk_token(w, book=True)], PUBLIC),
]
# The booking pages with object ids are a participant's own: staff are refused (403) before
# any lookup, so the staff-404 check of FOREIGN_OBJECTS does not apply. A participant asking
# for another practice's engagement or meeting is tested in tests/booking/test_views.py.
FOREIGN_OBJECTS: list[tuple[str, Callable[[World], list[Any]]]] = []
