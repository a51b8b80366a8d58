"""One invitation per person for a series planned at once: every date in the text, and one
calendar file (METHOD:REQUEST) holding one VEVENT per meeting, each with the meeting's own UID
and SEQUENCE. A later move or cancellation of one of them is sent as an update of that event
alone (notifications/meetings.py: same UID, higher SEQUENCE)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bollplank.core import clock
from bollplank.core.roles import STAFF_ROLES
from bollplank.core.tenancy import roles_in
from bollplank.engagements.models import GroupMembership
from bollplank.meetings.ics import calendar_bytes
from bollplank.meetings.models import Meeting
from bollplank.meetings.video import join_pages
from bollplank.notifications.enums import MailKind
from bollplank.notifications.meetings import (
    ICS_METHOD,
    Recipient,
    _when,
    on_meeting_changed,
    queue_reminders,
)
from bollplank.notifications.outbox import queue_mail


def _link(meeting: Meeting) -> str:
    return settings.SITE_URL + reverse("meeting_detail", args=[meeting.practice.slug, meeting.pk])


def series_recipients(meetings: list[Meeting]) -> dict[str, tuple[Recipient, list[Meeting]]]:
    """Each group member with an e-mail address and the meetings of the series that fall in
    their membership (one query for the whole series), keyed by address."""
    engagement_id = meetings[0].engagement_id
    zone = ZoneInfo(meetings[0].practice.timezone)
    rows = (
        GroupMembership.objects.filter(engagement_id=engagement_id)
        .select_related("participant__user")
        .order_by("participant__name", "pk")
    )
    found: dict[str, tuple[Recipient, list[Meeting]]] = {}
    for membership in rows:
        p = membership.participant
        user = p.user
        email = (user.email if user else "") or p.email
        if not email:
            continue
        for meeting in meetings:
            day = timezone.localtime(meeting.starts_at, zone).date()
            if membership.joined_on <= day and (
                membership.left_on is None or membership.left_on > day
            ):
                person = Recipient(p.name, email, getattr(user, "language", "") or "sv")
                found.setdefault(email, (person, []))[1].append(meeting)
    return found


def send_series_invitation(
    meetings: list[Meeting], person: Recipient, *, kind: str = MailKind.MEETING
) -> bool:
    """One mail to ``person`` with every meeting of the series and one calendar file."""
    first = meetings[0]
    practice, supervisor = first.practice, first.supervisor
    links = {m.pk: _link(m) for m in meetings}
    video = join_pages(meetings)
    ics = calendar_bytes(
        meetings,
        name=practice.name,
        method=ICS_METHOD["planned"],
        urls=links,
        organizer=(supervisor.name or practice.name, supervisor.email),
        attendee=person.email,
        places=video,
    ).decode()
    dates = [
        {"when": _when(m.starts_at, practice.timezone, person.language), "link": links[m.pk]}
        for m in meetings
    ]
    queued = queue_mail(
        to=person.email,
        template="notifications/email/series",
        context={
            "name": person.name,
            "title": first.engagement.title,
            "dates": dates,
            "count": len(meetings),
            "place": first.location or first.engagement.venue_address,
            "by_video": bool(video),
            "practice_name": practice.name,
        },
        language=person.language,
        kind=kind,
        practice=practice,
        meeting=first,
        ics=ics,
        ics_method=ICS_METHOD["planned"],
        dedupe_key=f"series:{kind}:{first.pk}:{len(meetings)}:{person.email}"[:200],
    )
    return queued is not None


def notify_series(
    meetings: list[Meeting], *, actor: Any = None, now: dt.datetime | None = None
) -> int:
    """Invite the group (and the supervisor, when a colleague planned it) to a whole series
    at once, and queue each meeting's reminders. Meetings already over are left out."""
    now = now or clock.now()
    ahead = sorted((m for m in meetings if m.ends_at > now), key=lambda m: m.starts_at)
    if len(ahead) <= 1:
        for meeting in ahead:
            on_meeting_changed(Meeting, meeting, "planned", actor=actor, now=now)
        return len(ahead)
    count = 0
    for person, theirs in series_recipients(ahead).values():
        count += send_series_invitation(theirs, person)
        for meeting in theirs:
            count += queue_reminders(meeting, person, now=now)
    supervisor = ahead[0].supervisor
    colleague = actor is not None and getattr(actor, "pk", None) not in (None, supervisor.pk)
    if colleague and supervisor.email and roles_in(actor, ahead[0].practice) & STAFF_ROLES:
        person = Recipient(
            supervisor.name, supervisor.email, getattr(supervisor, "language", "") or "sv"
        )
        count += send_series_invitation(ahead, person, kind=MailKind.LED_MEETING)
    return count


def on_series_planned(
    sender: Any,
    meetings: list[Meeting],
    actor: Any = None,
    now: dt.datetime | None = None,
    **kwargs: Any,
) -> None:
    notify_series(meetings, actor=actor, now=now)
