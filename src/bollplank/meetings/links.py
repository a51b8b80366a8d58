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
from bollplank.meetings.selectors import (
    meetings_for_feed,
    meetings_visible_to,
    schedule_page,
    schedule_pages,
)

# The roles that may open a meeting's page (meetings/views.py: meeting_detail).
MEETING_PAGE_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.PARTICIPANT)


def opens_meeting_page(roles: frozenset[str]) -> bool:
    """Whether a person with ``roles`` opens a meeting's own page from its link."""
    return bool(roles.intersection(MEETING_PAGE_ROLES))


def room_opener(
    user: Any, practice: Practice, roles: frozenset[str], pks: Iterable[int]
) -> Callable[[int], bool]:
    """Whether the person opens the own page of each of the meetings ``pks``. Their roles say
    it for every meeting, except for someone who is the client's contact and also a
    participant (or staff): they see the client's meetings in their calendars but open only
    the rooms of their other roles (a meeting's pages act in the capacity of the roles they
    allow). One query, for those people only."""
    own_page = opens_meeting_page(roles)
    if Role.CLIENT_CONTACT not in roles or not own_page:
        return lambda _pk: own_page
    room_roles = roles - {Role.CLIENT_CONTACT}
    visible = meetings_visible_to(user, practice, room_roles).filter(pk__in=list(pks))
    return set(visible.values_list("pk", flat=True)).__contains__


def schedule_page_url(slug: str) -> Callable[[int, int], str]:
    """``{% url 'client_schedule' slug engagement_id %}`` with ``?page=`` (none for the first
    page), for many meetings with one reverse()."""
    engagement_url = url_for_pk("client_schedule", slug)

    def url(engagement_id: int, page: int) -> str:
        base = engagement_url(engagement_id)
        return base if page == 1 else f"{base}?page={page}"

    return url


def calendar_link(slug: str, opens: Callable[[int], bool]) -> Callable[[Any], str]:
    """The path a calendar item leads to: a first talk (booking) to the booking links, a
    meeting to its page where the person ``opens`` it (room_opener), else to the page of their
    schedule that holds it (the meeting then carries ``schedule_index``:
    selectors.with_schedule_index). One reverse() each, for any number of items."""
    talks_url = reverse("booking_links", args=[slug])
    meeting_url = url_for_pk("meeting_detail", slug)
    schedule_url = schedule_page_url(slug)

    def link(item: Any) -> str:
        if getattr(item, "is_first_talk", False):
            return talks_url
        if opens(item.pk):
            return meeting_url(item.pk)
        return schedule_url(item.engagement_id, schedule_page(item.schedule_index))

    return link


def set_calendar_links(items: Iterable[Any], slug: str, opens: Callable[[int], bool]) -> None:
    """Each calendar item's ``line_url`` (calendar_link)."""
    link = calendar_link(slug, opens)
    for item in items:
        item.line_url = link(item)


def feed_event_urls(
    user: Any, practice: Practice, roles: frozenset[str], meetings: Iterable[Any], base: str
) -> dict[int, str]:
    """The absolute link of each of a person's feed events (``meetings``: the feed's rows), by
    pk, with one reverse() for the whole feed (it holds a year of meetings); for a client
    contact one more query, for the schedule pages."""
    meetings = list(meetings)
    opens = room_opener(user, practice, roles, (m.pk for m in meetings))
    meeting_url = url_for_pk("meeting_detail", practice.slug)
    urls = {m.pk: f"{base}{meeting_url(m.pk)}" for m in meetings if opens(m.pk)}
    if len(urls) == len(meetings):
        return urls
    pages = schedule_pages(meetings_for_feed(user, practice, roles))
    schedule_url = schedule_page_url(practice.slug)
    # A meeting planned between the two reads gets no link rather than a wrong one.
    for m in meetings:
        if m.pk not in urls and m.pk in pages:
            urls[m.pk] = f"{base}{schedule_url(m.engagement_id, pages[m.pk])}"
    return urls
