"""Every read of the booking app: rules, outside calendars, free times, bookable engagements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django_scopes import scope, scopes_disabled

from bollplank.accounts.models import hash_token
from bollplank.booking import freetime
from bollplank.booking.models import (
    AvailabilityException,
    BookingLink,
    BookingSettings,
    BusyInterval,
    FirstTalk,
    FirstTalkStatus,
    OutsideCalendar,
    Place,
    WeeklyHours,
)
from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.core.timeutils import holidays_between
from bollplank.engagements.enums import Form, Status, Venue
from bollplank.engagements.models import Engagement
from bollplank.meetings.enums import MeetingStatus
from bollplank.meetings.models import Meeting


def settings_of(practice: Practice, supervisor: Any) -> BookingSettings:
    """The supervisor's booking rules, or the defaults (unsaved) before they set any."""
    key = getattr(supervisor, "pk", supervisor)  # a user or a user id
    found = BookingSettings.objects.filter(practice=practice, supervisor_id=key).first()
    return found or BookingSettings(practice=practice, supervisor_id=key)


def hours_of(practice: Practice, supervisor: Any) -> QuerySet[WeeklyHours]:
    return WeeklyHours.objects.filter(practice=practice, supervisor=supervisor)


def exceptions_of(practice: Practice, supervisor: Any, since: dt.date) -> QuerySet[Any]:
    return AvailabilityException.objects.filter(
        practice=practice, supervisor=supervisor, last_day__gte=since
    )


def calendars_of(practice: Practice, supervisor: Any) -> QuerySet[OutsideCalendar]:
    return OutsideCalendar.objects.filter(practice=practice, supervisor=supervisor)


def links_of(practice: Practice, supervisor: Any) -> QuerySet[BookingLink]:
    """Links the supervisor made, and first-talk links sent in their name from inquiries."""
    mine = Q(created_by=supervisor) | Q(supervisor=supervisor)
    return BookingLink.objects.filter(mine, practice=practice).select_related(
        "engagement", "meeting", "supervisor", "first_talk"
    )


def slot_place(engagement: Engagement) -> str:
    """Which weekly hours an engagement books into: video ones for video engagements,
    the premises' otherwise."""
    return Place.VIDEO if engagement.venue == Venue.VIDEO else Place.PREMISES


def meeting_place(venue: str) -> str:
    """Where a meeting happens, for travel time: video, the premises or a client's."""
    places: dict[str, str] = {Venue.VIDEO: "video", Venue.SUPERVISOR_PREMISES: "premises"}
    return places.get(venue, "client")


@dataclass
class FreeTimes:
    rules: freetime.Rules
    windows: list[freetime.Interval]
    blocked: list[freetime.Interval]
    length: dt.timedelta
    now: dt.datetime

    def slots(self) -> list[dt.datetime]:
        return freetime.free_slots(
            windows=self.windows,
            blocked=self.blocked,
            length=self.length,
            rules=self.rules,
            now=self.now,
        )

    def why_not(self, start: dt.datetime) -> str | None:
        return freetime.check_slot(
            start=start,
            length=self.length,
            windows=self.windows,
            blocked=self.blocked,
            rules=self.rules,
            now=self.now,
        )


def free_times(
    engagement: Engagement, *, now: dt.datetime, exclude_meeting: int | None = None
) -> FreeTimes:
    """Free times of the engagement's supervisor for one of its meetings."""
    return free_times_for(
        practice=engagement.practice,
        supervisor=engagement.supervisor_id,
        slot_place=slot_place(engagement),
        busy_place=meeting_place(engagement.venue),
        minutes=engagement.meeting_minutes,
        now=now,
        exclude_meeting=exclude_meeting,
    )


def first_talk_free_times(
    practice: Practice, supervisor: Any, *, now: dt.datetime, exclude_talk: int | None = None
) -> FreeTimes:
    """Free times for a first talk: the supervisor's own first-talk length and place."""
    config = settings_of(practice, supervisor)
    return free_times_for(
        practice=practice,
        supervisor=config.supervisor_id,
        slot_place=config.first_talk_place,
        busy_place=config.first_talk_place,
        minutes=config.first_talk_minutes,
        now=now,
        exclude_talk=exclude_talk,
    )


def free_times_for(
    *,
    practice: Practice,
    supervisor: int,
    slot_place: str,
    busy_place: str,
    minutes: int,
    now: dt.datetime,
    exclude_meeting: int | None = None,
    exclude_talk: int | None = None,
) -> FreeTimes:
    """Everything the sweep needs for one supervisor: four indexed queries (rules, meetings
    in every practice, first talks, outside busy times) plus the weekly hours."""
    config = settings_of(practice, supervisor)
    rules = freetime.Rules(
        tz=practice.timezone,
        notice=dt.timedelta(hours=config.notice_hours),
        horizon=dt.timedelta(days=config.horizon_days),
        buffer=dt.timedelta(minutes=config.buffer_minutes),
        travel=dt.timedelta(minutes=config.travel_minutes),
    )
    first_day = (now - dt.timedelta(days=1)).date()
    last_day = (now + rules.horizon + dt.timedelta(days=1)).date()
    weekly = [
        freetime.WeeklyRule(h.weekday, h.start, h.end, h.place)
        for h in hours_of(practice, supervisor)
    ]
    exceptions = [
        freetime.DayException(e.first_day, e.last_day, e.is_open, e.start, e.end, e.place)
        for e in exceptions_of(practice, supervisor, first_day).filter(first_day__lte=last_day)
    ]
    windows = freetime.open_windows(
        first_day=first_day,
        last_day=last_day,
        weekly=weekly,
        exceptions=exceptions,
        holidays=holidays_between(first_day, last_day),
        tz_name=practice.timezone,
        place=slot_place,
    )
    return FreeTimes(
        rules=rules,
        windows=windows,
        blocked=blocked_for(
            practice=practice,
            supervisor=supervisor,
            place=busy_place,
            rules=rules,
            since=now,
            until=now + rules.horizon,
            exclude_meeting=exclude_meeting,
            exclude_talk=exclude_talk,
        ),
        length=dt.timedelta(minutes=minutes),
        now=now,
    )


# Busy times this close outside the window can still push into it through the gaps.
QUERY_MARGIN = dt.timedelta(hours=9)


def blocked_for(
    *,
    practice: Practice,
    supervisor: int,
    place: str,
    rules: freetime.Rules,
    since: dt.datetime,
    until: dt.datetime,
    exclude_meeting: int | None = None,
    exclude_talk: int | None = None,
) -> list[freetime.Interval]:
    """The supervisor's busy times widened by buffers and travel: meetings in every practice
    (one person can work for several firms), first talks, and outside calendars' busy
    intervals."""
    pad = QUERY_MARGIN
    meetings = (
        Meeting.objects.with_scopes_disabled()
        .filter(
            supervisor_id=supervisor,
            status=MeetingStatus.PLANNED,
            starts_at__lt=until + pad,
            ends_at__gt=since - pad,
        )
        .exclude(pk=exclude_meeting)
    )
    talks = (
        FirstTalk.objects.with_scopes_disabled()
        .filter(
            supervisor_id=supervisor,
            status=FirstTalkStatus.PLANNED,
            starts_at__lt=until + pad,
            ends_at__gt=since - pad,
        )
        .exclude(pk=exclude_talk)
    )
    outside = BusyInterval.objects.with_scopes_disabled().filter(
        supervisor_id=supervisor, starts_at__lt=until + pad, ends_at__gt=since - pad
    )
    rows = _rows(meetings, "engagement__venue")
    busy = [freetime.Busy(_utc(s), _utc(e), meeting_place(v)) for s, e, v in rows]
    busy += [freetime.Busy(_utc(s), _utc(e), p) for s, e, p in _rows(talks, "place")]
    busy += [freetime.Busy(_utc(s), _utc(e)) for s, e in _rows(outside)]
    return freetime.blocked_intervals(
        busy,
        place=place,
        rules=rules,
        min_gap=dt.timedelta(minutes=practice.travel_buffer_minutes),
    )


def _rows(qs: QuerySet[Any], *more: str) -> list[tuple[Any, ...]]:
    """(starts_at, ends_at, *more) of each row, without Django's per-value converters: the
    sweep reads a thousand or more datetimes, and converting each one through the ORM costs
    more than the sweep itself. SQLite hands the times over as text (a
    cast, so that no column converter runs), PostgreSQL as aware datetimes. Read with _utc()."""
    if connections[qs.db].vendor == "sqlite":
        qs = qs.annotate(_starts=Cast("starts_at", TextField()), _ends=Cast("ends_at", TextField()))
        qs = qs.values_list("_starts", "_ends", *more)  # type: ignore[assignment]
    else:
        qs = qs.values_list("starts_at", "ends_at", *more)  # type: ignore[assignment]
    sql, params = qs.query.sql_with_params()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _utc(value: Any) -> dt.datetime:
    """A raw datetime column as aware UTC: PostgreSQL gives aware values, SQLite naive UTC
    (as a datetime, or as text where no converter is registered)."""
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value + "+00:00")  # SQLite keeps naive UTC text
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _bookable(user: Any, practice: Practice) -> QuerySet[Engagement]:
    return Engagement.objects.filter(
        practice=practice,
        form=Form.INDIVIDUAL,
        status=Status.ACTIVE,
        memberships__participant__user=user,
        memberships__left_on__isnull=True,
    )


def can_book(user: Any, practice: Practice) -> bool:
    """Whether the person has an engagement to book meetings in (one query). Scoped here:
    the layout asks it also on an error page, after the view's own scope has ended."""
    with scope(practice=practice):
        return _bookable(user, practice).exists()


def bookable_engagements(user: Any, practice: Practice) -> QuerySet[Engagement]:
    """The person's active individual engagements, with how many meetings are used (planned
    or held, and late cancellations, which count against the quota)."""
    return (
        _bookable(user, practice)
        .select_related("supervisor", "practice")
        .annotate(used_count=Count("meetings", filter=_counts_against_quota(), distinct=True))
        .order_by("start_date", "title")
    )


def _counts_against_quota() -> Q:
    return Q(meetings__status=MeetingStatus.PLANNED) | Q(meetings__late_cancellation=True)


def used_count(engagement: Engagement) -> int:
    return (
        Meeting.objects.filter(engagement=engagement)
        .filter(Q(status=MeetingStatus.PLANNED) | Q(late_cancellation=True))
        .count()
    )


def bookable_engagement(user: Any, practice: Practice, pk: int) -> Engagement:
    return get_object_or_404(bookable_engagements(user, practice), pk=pk)


def own_booked_meetings(user: Any, practice: Practice, now: dt.datetime) -> QuerySet[Meeting]:
    """Planned meetings ahead in the person's bookable engagements."""
    return (
        Meeting.objects.filter(
            practice=practice,
            engagement__in=bookable_engagements(user, practice).values("pk"),
            status=MeetingStatus.PLANNED,
            starts_at__gt=now,
        )
        .select_related("engagement")
        .order_by("starts_at")
    )


def own_booked_meeting(user: Any, practice: Practice, pk: int, now: dt.datetime) -> Meeting:
    qs = own_booked_meetings(user, practice, now).select_related(
        "engagement__practice", "engagement__supervisor"
    )
    return get_object_or_404(qs, pk=pk)


def supervisor_engagements(user: Any, practice: Practice) -> QuerySet[Engagement]:
    """Engagements a supervisor can hand out booking links for: their own active ones."""
    return Engagement.objects.filter(
        practice=practice, supervisor=user, status=Status.ACTIVE
    ).order_by("title")


# --- first talks ----------------------------------------------------------------------------


def first_talks_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Any]:
    """First talks in calendars: an admin sees the practice's, a supervisor their own; no one
    else (a participant or client contact has nothing to do with a visitor's first talk)."""
    qs = FirstTalk.objects.filter(practice=practice)
    if Role.ADMIN in roles:
        return qs
    if Role.SUPERVISOR in roles:
        return qs.filter(supervisor=user)
    return qs.none()


def first_talks_between(
    user: Any, practice: Practice, roles: frozenset[str], start: dt.datetime, end: dt.datetime
) -> QuerySet[Any]:
    return (
        first_talks_visible_to(user, practice, roles)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("supervisor")
    )


class FeedTalk:
    """A first talk in a calendar feed. The feed maps meeting pks to their pages; a first talk
    has no page, and its pk could equal a meeting's, so it answers with a pk of its own kind."""

    def __init__(self, talk: FirstTalk) -> None:
        self.talk = talk

    def __getattr__(self, name: str) -> Any:
        return getattr(self.talk, name)

    @property
    def pk(self) -> str:
        return f"first-talk-{self.talk.pk}"


def first_talks_for_feed(user: Any, practice: Practice, roles: frozenset[str]) -> list[Any]:
    """A supervisor's own first talks (not an admin's view of everyone's) for their feed,
    a year back and all ahead, like meetings."""

    since = clock.now() - dt.timedelta(days=365)
    talks = FirstTalk.objects.filter(practice=practice, supervisor=user, starts_at__gte=since)
    return [FeedTalk(t) for t in talks]


def first_talk_clash(
    *, supervisor: Any, starts_at: dt.datetime, ends_at: dt.datetime, pad: dt.timedelta
) -> FirstTalk | None:
    """A planned first talk of the supervisor (any practice) closer than ``pad`` to the time:
    the meetings services refuse to plan over it, as over a meeting."""
    return (
        FirstTalk.objects.with_scopes_disabled()
        .filter(
            supervisor=supervisor,
            status=FirstTalkStatus.PLANNED,
            starts_at__lt=ends_at + pad,
            ends_at__gt=starts_at - pad,
        )
        .select_related("practice")
        .order_by("starts_at")
        .first()
    )


def links_for_inquiry(inquiry: Any) -> QuerySet[BookingLink]:
    """The first-talk links sent for an inquiry, newest first, with their talks (one query)."""
    return BookingLink.objects.filter(inquiry=inquiry).select_related("supervisor", "first_talk")


def link_find(token: str) -> BookingLink | None:
    """The booking link behind a token, with what a booking page shows, or None."""
    with scopes_disabled():
        return (
            BookingLink.objects.select_related(
                "practice", "engagement", "engagement__practice", "meeting", "first_talk"
            )
            .filter(token_hash=hash_token(token))
            .first()
        )
