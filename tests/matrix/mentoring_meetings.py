"""Permission matrix rows of a mentoring pair's meetings (collected by tests/matrix/__init__.py).

All four pages are public behind the person's personal link: the link is the permission, so
every role sees the same page, and a wrong link (or another person's meeting) is not found."""

from __future__ import annotations

from tests.matrix import ROLES, Case
from tests.mentoring import meeting_helpers as mh

PUBLIC = dict.fromkeys(ROLES, 200)
NOT_FOUND = dict.fromkeys(ROLES, 404)

# The row with a right link comes first: docs/security.md shows the first row of a URL.
MATRIX: list[Case] = [
    ("mentoring_meetings", "get", lambda w: [mh.mentor_token(w)], PUBLIC),
    ("mentoring_meetings", "get", lambda w: [mh.mentee_token(w)], PUBLIC),
    ("mentoring_meetings", "get", lambda w: ["wrong-token"], NOT_FOUND),
    ("mentoring_meeting_move", "get", mh.meeting_args, PUBLIC),
    ("mentoring_meeting_move", "get", lambda w: ["wrong-token", 1], NOT_FOUND),
    ("mentoring_meeting_ics", "get", mh.meeting_args, PUBLIC),
    ("mentoring_meeting_ics", "get", lambda w: ["wrong-token", 1], NOT_FOUND),
    ("mentoring_feed", "get", lambda w: [mh.mentee_token(w)], PUBLIC),
    ("mentoring_feed", "get", lambda w: ["wrong-token"], NOT_FOUND),
]
