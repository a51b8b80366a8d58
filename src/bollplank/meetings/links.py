"""Where a meeting's link takes the person who follows it, in the calendars and in the calendar
files they are given. Staff and participants go to the meeting's page. A client contact may not
open that page (DOMAIN: the client sees the schedule, never the room), so their link is the
page of the engagement's schedule that holds the meeting; a link they could not follow would
only answer them "no permission", and a calendar file keeps it long after."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse

from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.rows import url_for_pk
from bollplank.meetings.selectors import meetings_for_feed, schedule_page, schedule_pages

# The roles that may open a meeting's page (meetings/views.py: meeting_detail).
MEETING_PAGE_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.PARTICIPANT)


def opens_meeting_page(roles: frozenset[str]) -> bool:
    """Whether a person with ``roles`` opens a meeting's own page from its link."""
    return bool(roles.intersection(MEETING_PAGE_ROLES))


def schedule_page_url(slug: str) -> Callable[[int, int], str]:
    """``{% url 'client_schedule' slug engagement_id %}`` with ``?page=`` (none for the first
    page), for many meetings with one reverse()."""
    engagement_url = url_for_pk("client_schedule", slug)

    def url(engagement_id: int, page: int) -> str:
        base = engagement_url(engagement_id)
        return base if page == 1 else f"{base}?page={page}"

    return url


def set_calendar_links(items: Iterable[Any], slug: str, roles: frozenset[str]) -> None:
    """Each calendar item's ``line_url``: a first talk (booking) to the booking links, a meeting
    to its page, or for a client contact to their schedule's page that holds it (the meetings
    then carry ``schedule_index``: selectors.with_schedule_index)."""
    talks_url = reverse("booking_links", args=[slug])
    meeting_url = url_for_pk("meeting_detail", slug)
    schedule_url = schedule_page_url(slug)
    own_page = opens_meeting_page(roles)
    for item in items:
        if getattr(item, "is_first_talk", False):
            item.line_url = talks_url
        elif own_page:
            item.line_url = meeting_url(item.pk)
        else:
            item.line_url = schedule_url(item.engagement_id, schedule_page(item.schedule_index))


def feed_event_urls(
    user: Any, practice: Practice, roles: frozenset[str], meetings: Iterable[Any], base: str
) -> dict[int, str]:
    """The absolute link of each of a person's feed events (``meetings``: the feed's rows), by
    pk, with one reverse() for the whole feed (it holds a year of meetings); for a client
    contact one more query, for the schedule pages."""
    if opens_meeting_page(roles):
        meeting_url = url_for_pk("meeting_detail", practice.slug)
        return {m.pk: f"{base}{meeting_url(m.pk)}" for m in meetings}
    pages = schedule_pages(meetings_for_feed(user, practice, roles))
    schedule_url = schedule_page_url(practice.slug)
    # A meeting planned between the two reads gets no link rather than a wrong one.
    return {
        m.pk: f"{base}{schedule_url(m.engagement_id, pages[m.pk])}"
        for m in meetings
        if m.pk in pages
    }
