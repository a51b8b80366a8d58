"""Meetings by video on the practice's own Jitsi Meet server, with token authentication.

A meeting whose engagement meets by video without a link of its own takes place in its room
(``Meeting.video_room``) on the practice's server (``VideoServer``). Only the meeting's
supervisor and the group's members on the meeting's day get a join link; it carries a JWT
signed with the server's secret (HS256, as Jitsi's token authentication expects):

- ``iss`` and ``aud``: the server's app id; ``sub``: the server's domain; ``room``: the room;
- ``nbf``: 15 minutes before the start (people open a meeting a little early); ``exp``: its end;
- ``context.user``: the person's name, ``moderator`` (the supervisor only) and ``affiliation``
  (``owner`` / ``member``, for the ``token_affiliation`` Prosody module);
- in groups, ``context.user.lobby`` for the participants and ``lobby_bypass`` for the supervisor
  (the ``token_lobby_ondemand`` and ``token_lobby_bypass`` modules): the room's lobby turns on
  and the supervisor admits the group, so a wrong person who got hold of a link waits outside;
- ``context.features``: recording, live streaming, transcription and dial-out off (read by Jitsi
  with ``enableFeaturesBasedOnToken``): a supervision meeting is a protected room.

No ``iat``: the token depends only on the meeting, the person and the server. Tokens are made
only when a page is written for the signed-in person (the meeting's page, the join page) and
never stored. Everything that is stored elsewhere carries the ``meeting_join`` link instead,
which makes the token when it is followed: e-mails (kept in the outbox) and calendar feeds and
files, which Google, Microsoft and Apple fetch and keep on servers outside our control, where a
token would stay valid until the meeting ends and could not be withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jwt
from django.conf import settings
from django.urls import reverse

from bollplank.core import clock, crypto
from bollplank.core.models import Practice
from bollplank.core.rows import url_for_pk
from bollplank.engagements.enums import Form, Venue
from bollplank.engagements.models import GroupMembership
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting, VideoServer
from bollplank.meetings.selectors import video_server_of

# How long before the start a join link works.
OPENS_BEFORE = dt.timedelta(minutes=15)
ALGORITHM = "HS256"
# Off in every room: nothing of a supervision meeting is kept or sent elsewhere.
FEATURES = {
    "recording": False,
    "livestreaming": False,
    "transcription": False,
    "outbound-call": False,
}


@dataclass(frozen=True)
class Server:
    """A practice's video server with its secret decrypted, for signing."""

    base_url: str
    app_id: str
    # Kept out of repr: error pages and logs print locals.
    secret: str = field(repr=False)

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or ""


def server_of(practice: Practice) -> Server | None:
    """The practice's video server, or None when it has none."""
    found = video_server_of(practice)
    if found is None:
        return None
    return Server(found.base_url.rstrip("/"), found.app_id, crypto.decrypt(found.secret_encrypted))


def on_practice_server(venue: str, location: str) -> bool:
    """Whether a meeting takes place on the practice's server: by video, with no link of its
    own (a meeting copies its engagement's video link into ``location``)."""
    return venue == Venue.VIDEO and not location


def claims(
    server: Server,
    *,
    room: str,
    name: str,
    moderator: bool,
    group: bool,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
) -> dict[str, Any]:
    """The token's claims for one person in one meeting (see the module's docstring)."""
    user: dict[str, Any] = {
        "name": name,
        "moderator": moderator,
        "affiliation": "owner" if moderator else "member",
    }
    if group:
        user["lobby_bypass" if moderator else "lobby"] = True
    return {
        "iss": server.app_id,
        "aud": server.app_id,
        "sub": server.domain,
        "room": room,
        "nbf": int((starts_at - OPENS_BEFORE).timestamp()),
        "exp": int(ends_at.timestamp()),
        "context": {"user": user, "features": dict(FEATURES)},
    }


def join_url(server: Server, **kwargs: Any) -> str:
    """The room's address with the person's token (``claims``' keyword arguments)."""
    token = jwt.encode(claims(server, **kwargs), server.secret, algorithm=ALGORITHM)
    return f"{server.base_url}/{kwargs['room']}?jwt={token}"


@dataclass(frozen=True)
class Seat:
    """Who someone is in meetings: the supervisor of their own meetings, a participant in the
    groups they belong to (the periods of their memberships)."""

    user_pk: int
    name: str
    memberships: tuple[tuple[int, dt.date, dt.date | None], ...]

    def role_in(self, *, supervisor_id: int, engagement_id: int, day: dt.date) -> str:
        """ "moderator", "participant" or "" (no link)."""
        if supervisor_id == self.user_pk:
            return "moderator"
        for engagement, joined, left in self.memberships:
            if engagement == engagement_id and joined <= day and (left is None or left > day):
                return "participant"
        return ""


def seat_of(user: Any, practice: Practice, engagements: Iterable[int] | None = None) -> Seat:
    """The person's seat in the practice's meetings (one query), over ``engagements`` if
    given."""
    rows = GroupMembership.objects.filter(practice=practice, participant__user=user)
    if engagements is not None:
        rows = rows.filter(engagement_id__in=list(engagements))
    periods = tuple(rows.values_list("engagement_id", "joined_on", "left_on"))
    return Seat(user.pk, user.name or user.email, periods)


def role_for(
    seat: Seat,
    *,
    tz: str,
    venue: str,
    location: str,
    supervisor_id: int,
    engagement_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    status: str,
    now: dt.datetime,
) -> str:
    """The person's role in one meeting's room ("moderator" or "participant"), or "" when they
    have none: the meeting is not on the practice's server, cancelled or over by ``now``, or the
    person is neither its supervisor nor in its group that day."""
    if status == MeetingStatus.CANCELLED or ends_at <= now:
        return ""
    if not on_practice_server(venue, location):
        return ""
    day = starts_at.astimezone(ZoneInfo(tz)).date()
    return seat.role_in(supervisor_id=supervisor_id, engagement_id=engagement_id, day=day)


def link_for(
    server: Server | None,
    seat: Seat,
    *,
    tz: str,
    room: str,
    venue: str,
    location: str,
    form: str,
    supervisor_id: int,
    engagement_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    status: str,
    now: dt.datetime,
) -> str:
    """The person's join link to one meeting, with their token, or "" when they get none: the
    practice has no server, or they have no role in the room (``role_for``)."""
    if server is None:
        return ""
    role = role_for(
        seat,
        tz=tz,
        venue=venue,
        location=location,
        supervisor_id=supervisor_id,
        engagement_id=engagement_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        now=now,
    )
    if not role:
        return ""
    return join_url(
        server,
        room=room,
        name=seat.name,
        moderator=role == "moderator",
        group=form == Form.GROUP,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def feed_join_pages(
    user: Any,
    practice: Practice,
    rows: Iterable[Any],
    base: str,
    now: dt.datetime | None = None,
) -> dict[Any, str]:
    """The ``meeting_join`` pages (under ``base``, the site's address) of the meetings in the
    person's calendar feed (meetings.selectors' FeedMeeting rows) whose room they have a role
    in, by the meetings' uid. No token: a feed is kept by calendar servers outside our control.
    Two queries however long the feed, none when no meeting is on a video server."""
    now = now or clock.now()
    rows = [
        r for r in rows if on_practice_server(r.engagement_venue, r.location) and r.ends_at > now
    ]
    if not rows or not VideoServer.objects.filter(practice=practice).exists():
        return {}
    seat = seat_of(user, practice)
    page = url_for_pk("meeting_join", practice.slug)
    return {
        r.uid: base + page(r.pk)
        for r in rows
        if role_for(
            seat,
            tz=practice.timezone,
            venue=r.engagement_venue,
            location=r.location,
            supervisor_id=r.supervisor_id,
            engagement_id=r.engagement_id,
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            status=r.status,
            now=now,
        )
    }


def _meeting_role(meeting: Any, user: Any, practice: Practice, now: dt.datetime) -> str:
    """``role_for`` one Meeting (its engagement loaded)."""
    engagement = meeting.engagement
    if not on_practice_server(engagement.venue, meeting.location) or meeting.ends_at <= now:
        return ""
    return role_for(
        seat_of(user, practice, [engagement.pk]),
        tz=practice.timezone,
        venue=engagement.venue,
        location=meeting.location,
        supervisor_id=meeting.supervisor_id,
        engagement_id=engagement.pk,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=meeting.status,
        now=now,
    )


def meeting_link(
    meeting: Any, user: Any, practice: Practice | None = None, now: dt.datetime | None = None
) -> str:
    """``link_for`` one Meeting (its engagement loaded), with the person's token: only for a
    page written for them; ``practice`` saves a query."""
    practice = practice or meeting.practice
    now = now or clock.now()
    if not on_practice_server(meeting.engagement.venue, meeting.location) or meeting.ends_at <= now:
        return ""
    server = server_of(practice)
    if server is None:
        return ""
    engagement = meeting.engagement
    return link_for(
        server,
        seat_of(user, practice, [engagement.pk]),
        tz=practice.timezone,
        room=meeting.video_room,
        venue=engagement.venue,
        location=meeting.location,
        form=engagement.form,
        supervisor_id=meeting.supervisor_id,
        engagement_id=engagement.pk,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        status=meeting.status,
        now=now,
    )


def meeting_join_page(
    meeting: Any,
    user: Any,
    base: str,
    practice: Practice | None = None,
    now: dt.datetime | None = None,
) -> str:
    """The ``meeting_join`` page (under ``base``, the site's address) of one Meeting (its
    engagement loaded) when the person has a role in its room, else "": what a calendar file
    carries instead of a token."""
    practice = practice or meeting.practice
    now = now or clock.now()
    if not _meeting_role(meeting, user, practice, now):
        return ""
    if not VideoServer.objects.filter(practice=practice).exists():
        return ""
    return base + reverse("meeting_join", args=[practice.slug, meeting.pk])


def join_pages(meetings: Iterable[Any]) -> dict[Any, str]:
    """The join address in Bollplank (``meeting_join``) of each meeting on its practice's
    server, by uid: what e-mails and their calendar files carry. It holds no token (mail is
    stored in the outbox); followed, it makes the signed-in person's own. One query."""
    meetings = [
        m
        for m in meetings
        if isinstance(m, Meeting) and on_practice_server(m.engagement_venue, m.location)
    ]
    if not meetings:
        return {}
    practices = {m.practice_id for m in meetings}
    with_server = set(
        VideoServer.objects.filter(practice_id__in=practices).values_list("practice_id", flat=True)
    )
    return {
        m.uid: settings.SITE_URL + reverse("meeting_join", args=[m.practice.slug, m.pk])
        for m in meetings
        if m.practice_id in with_server and m.status != MeetingStatus.CANCELLED
    }
