"""E-mails about meetings: invitations with calendar updates, reminders, the call for questions
and the news that a summary is ready. Driven by the signals of meetings' and records' services,
inside their transactions (so a refused change mails nothing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation

from bollplank.core import clock
from bollplank.core.roles import STAFF_ROLES
from bollplank.core.tenancy import roles_in
from bollplank.engagements.models import GroupMembership
from bollplank.meetings.ics import calendar_bytes
from bollplank.meetings.models import Meeting
from bollplank.meetings.video import join_pages
from bollplank.notifications.enums import MailKind
from bollplank.notifications.models import NotificationSettings
from bollplank.notifications.outbox import queue_mail

ICS_METHOD = {"planned": "REQUEST", "moved": "REQUEST", "cancelled": "CANCEL"}


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    language: str


def settings_of(practice: Any) -> NotificationSettings:
    found = NotificationSettings.objects.filter(practice=practice).first()
    return found or NotificationSettings(practice=practice)


def recipients(meeting: Meeting) -> list[Recipient]:
    """The group's members on the meeting's day who have an e-mail address."""
    day = timezone.localtime(meeting.starts_at, ZoneInfo(meeting.practice.timezone)).date()
    rows = (
        GroupMembership.objects.filter(engagement_id=meeting.engagement_id, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
        .select_related("participant__user")
        .order_by("participant__name")
    )
    found = []
    for m in rows:
        p = m.participant
        user = p.user
        email = (user.email if user else "") or p.email
        if email:
            found.append(Recipient(p.name, email, getattr(user, "language", "") or "sv"))
    return found


def _when(moment: dt.datetime, tz: str, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment, ZoneInfo(tz)), "DATETIME_FORMAT")


def _context(
    meeting: Meeting, person: Recipient, change: str, link: str, video_link: str = ""
) -> dict[str, Any]:
    tz = meeting.practice.timezone
    return {
        "video_link": video_link,
        "name": person.name,
        "title": meeting.engagement.title,
        "when": _when(meeting.starts_at, tz, person.language),
        "place": meeting.location or meeting.engagement.venue_address,
        "change": change,
        "link": link,
        "practice_name": meeting.practice.name,
    }


def notify_meeting(meeting: Meeting, change: str, *, now: dt.datetime | None = None) -> int:
    """Tell the group a meeting was planned, moved or cancelled, with the calendar update
    (same UID, the meeting's SEQUENCE); queue reminders for a planned or moved one."""
    now = now or clock.now()
    if meeting.ends_at <= now:
        return 0  # a meeting recorded afterwards: nothing to put in anyone's calendar
    practice = meeting.practice
    link = settings.SITE_URL + reverse("meeting_detail", args=[practice.slug, meeting.pk])
    count = 0
    for person in recipients(meeting):
        count += send_invitation(meeting, person, change, link)
        if change != "cancelled":
            count += queue_reminders(meeting, person, now=now)
    return count


def send_invitation(
    meeting: Any,
    person: Recipient,
    change: str,
    link: str,
    *,
    key: str = "meeting",
    kind: str = MailKind.MEETING,
) -> bool:
    """One person's invitation (REQUEST) or cancellation (CANCEL) with the calendar update.
    Also called by booking: for the supervisor of a booked meeting, and for first talks
    (``meeting`` is then a booking.FirstTalk, ``key`` "first-talk")."""
    practice = meeting.practice
    supervisor = meeting.supervisor
    # A meeting on the practice's video server: the join page, which makes the person's token
    # when followed (the mail is stored; a token must not be).
    video = join_pages([meeting])
    ics = calendar_bytes(
        [meeting],
        name=practice.name,
        method=ICS_METHOD[change],
        urls={meeting.pk: link},
        organizer=(supervisor.name or practice.name, supervisor.email),
        attendee=person.email,
        places=video,
    ).decode()
    queued = queue_mail(
        to=person.email,
        template="notifications/email/meeting",
        context=_context(meeting, person, change, link, video.get(meeting.uid, "")),
        language=person.language,
        kind=kind,
        practice=practice,
        meeting=meeting if isinstance(meeting, Meeting) else None,
        ics=ics,
        ics_method=ICS_METHOD[change],
        dedupe_key=f"{key}:{meeting.pk}:{meeting.sequence}:{change}:{person.email}",
    )
    return queued is not None


def queue_reminders(meeting: Meeting, person: Recipient, *, now: dt.datetime | None = None) -> int:
    """The meeting reminder and the call for questions, each at its time if still ahead.
    Both are dropped when sent if the meeting was cancelled or moved in between."""
    now = now or clock.now()
    practice = meeting.practice
    timing = settings_of(practice)
    count = 0
    if timing.reminder_hours:
        at = meeting.starts_at - dt.timedelta(hours=timing.reminder_hours)
        if at > now:
            link = settings.SITE_URL + reverse("meeting_detail", args=[practice.slug, meeting.pk])
            count += (
                queue_mail(
                    to=person.email,
                    template="notifications/email/meeting",
                    context=_context(
                        meeting,
                        person,
                        "reminder",
                        link,
                        join_pages([meeting]).get(meeting.uid, ""),
                    ),
                    language=person.language,
                    kind=MailKind.REMINDER,
                    practice=practice,
                    meeting=meeting,
                    send_after=at,
                    dedupe_key=f"reminder:{meeting.pk}:{meeting.sequence}:{person.email}",
                )
                is not None
            )
    if timing.question_reminder_hours:
        deadline = meeting.starts_at - dt.timedelta(
            hours=meeting.engagement.submission_hours_before
        )
        at = deadline - dt.timedelta(hours=timing.question_reminder_hours)
        if at > now:
            link = settings.SITE_URL + reverse("meeting_submit", args=[practice.slug, meeting.pk])
            context = _context(meeting, person, "questions", link)
            context["deadline"] = _when(deadline, practice.timezone, person.language)
            count += (
                queue_mail(
                    to=person.email,
                    template="notifications/email/questions",
                    context=context,
                    language=person.language,
                    kind=MailKind.QUESTIONS,
                    practice=practice,
                    meeting=meeting,
                    send_after=at,
                    dedupe_key=f"questions:{meeting.pk}:{meeting.sequence}:{person.email}",
                )
                is not None
            )
    return count


def notify_summary(summary: Any) -> int:
    """Tell the group a summary is ready — never what it says."""
    meeting = summary.meeting
    practice = meeting.practice
    link = settings.SITE_URL + reverse("meeting_detail", args=[practice.slug, meeting.pk])
    count = 0
    for person in recipients(meeting):
        count += (
            queue_mail(
                to=person.email,
                template="notifications/email/summary",
                context=_context(meeting, person, "summary", link),
                language=person.language,
                kind=MailKind.SUMMARY,
                practice=practice,
                dedupe_key=f"summary:{summary.pk}:{person.email}",
            )
            is not None
        )
    return count


def notify_supervisor(meeting: Meeting, change: str, actor: Any) -> bool:
    """The supervisor's own invitation, moved invitation or cancellation when a colleague (a
    practice admin, another supervisor, anyone's API token) planned, moved or cancelled a
    meeting they lead — an optional kind. Their own changes mail them nothing; a participant's
    self-booking sends the supervisor's copy from booking (the same dedupe key, so never two)."""
    supervisor = meeting.supervisor
    if actor is None or getattr(actor, "pk", None) in (None, supervisor.pk):
        return False
    if not supervisor.email or meeting.ends_at <= clock.now():
        return False
    if not roles_in(actor, meeting.practice) & STAFF_ROLES:
        return False
    practice = meeting.practice
    link = settings.SITE_URL + reverse("meeting_detail", args=[practice.slug, meeting.pk])
    person = Recipient(
        supervisor.name, supervisor.email, getattr(supervisor, "language", "") or "sv"
    )
    return send_invitation(meeting, person, change, link, kind=MailKind.LED_MEETING)


def on_meeting_changed(
    sender: Any,
    meeting: Meeting,
    change: str,
    actor: Any = None,
    now: dt.datetime | None = None,
    **kwargs: Any,
) -> None:
    notify_meeting(meeting, change, now=now)
    notify_supervisor(meeting, change, actor)


def on_summary_published(sender: Any, summary: Any, **kwargs: Any) -> None:
    notify_summary(summary)
