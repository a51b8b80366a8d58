"""Every read of meetings, scoped to what the acting person may see."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, NamedTuple

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.models import GroupMembership
from bollplank.meetings.enums import AttendanceStatus
from bollplank.meetings.models import Attendance, Meeting


def _participant_filter(user: Any) -> Exists:
    # A participant sees the meetings of the groups they are in, and of their time in groups
    # they have left: not the meetings after they left.
    return Exists(
        GroupMembership.objects.filter(
            engagement=OuterRef("engagement"), participant__user=user
        ).filter(Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("starts_at__date")))
    )


def meetings_visible_to(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Meeting]:
    """Admins: all; supervisors: their own; participants: their groups'; client contacts: their
    client's (schedule and counts only — the views show no names to them)."""
    qs = Meeting.objects.filter(practice=practice)
    if Role.ADMIN in roles:
        return qs
    visible = Q(pk__in=[])
    if Role.SUPERVISOR in roles:
        visible |= Q(supervisor=user)
    if Role.CLIENT_CONTACT in roles:
        visible |= Q(engagement__client__contacts__user=user)
    if Role.PARTICIPANT in roles:
        qs = qs.annotate(_as_participant=_participant_filter(user))
        # The engagement test first, so the database walks the person's few engagements on the
        # (engagement, starts_at) index instead of testing every meeting of the practice
        # (bench/: the participant's page grew with the size of the practice).
        groups = GroupMembership.objects.filter(participant__user=user).values("engagement")
        visible |= Q(engagement__in=groups, _as_participant=True)
    if Role.CLIENT_CONTACT not in roles and Role.PARTICIPANT not in roles:
        # A supervisor's own meetings: a test on the meeting's own column, which cannot repeat
        # a row, so no DISTINCT (the paginator's COUNT over SELECT DISTINCT was a query of its
        # own, bench: meeting_list).
        return qs.filter(visible)
    return qs.filter(visible).distinct()


def meetings_between(
    user: Any,
    practice: Practice,
    roles: frozenset[str],
    start: dt.datetime,
    end: dt.datetime,
) -> QuerySet[Meeting]:
    """Meetings starting in [start, end), with what a calendar cell shows."""
    return (
        meetings_visible_to(user, practice, roles)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("engagement", "engagement__client")
        .order_by("starts_at")
    )


def meetings_of_engagement(engagement: Any) -> QuerySet[Meeting]:
    """An engagement's meetings with attendance counts (no names), for the engagement page."""
    # select_related: each row's effective focus reads its engagement.
    return _with_attendance_counts(
        Meeting.objects.filter(engagement=engagement).select_related("engagement")
    ).order_by("starts_at")


def meetings_by_engagement(engagements: list[Any]) -> dict[int, list[Meeting]]:
    """The schedules of several engagements with attendance counts, in one query."""
    found: dict[int, list[Meeting]] = {e.pk: [] for e in engagements}
    # Only what a schedule row shows (the client's page lists hundreds of them).
    qs = (
        Meeting.objects.filter(engagement__in=list(found))
        .only("id", "engagement_id", "starts_at", "ends_at", "status", "late_cancellation")
        .order_by("engagement_id", "starts_at")
    )
    for meeting in _with_attendance_counts(qs):
        found[meeting.engagement_id].append(meeting)
    return found


def _with_attendance_counts(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.annotate(
        present_count=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        absent_count=Count(
            "attendance",
            filter=Q(
                attendance__status__in=[
                    AttendanceStatus.ABSENT,
                    AttendanceStatus.LATE_CANCELLED,
                ]
            ),
        ),
    )


def meeting_detail(user: Any, practice: Practice, roles: frozenset[str], pk: int) -> Meeting:
    """One meeting the person may see, or 404."""
    qs = (
        meetings_visible_to(user, practice, roles)
        .select_related("engagement", "engagement__client", "supervisor", "case_turn__participant")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("participant")),
            Prefetch(
                "engagement__memberships",
                queryset=GroupMembership.objects.select_related("participant").order_by(
                    "participant__name"
                ),
            ),
        )
    )
    return get_object_or_404(qs, pk=pk)


def meetings_for_feed(user: Any, practice: Practice, roles: frozenset[str]) -> QuerySet[Meeting]:
    """Everything that goes in a person's calendar feed: a year back and all ahead."""

    since = clock.now() - dt.timedelta(days=365)
    return (
        meetings_visible_to(user, practice, roles)
        .filter(starts_at__gte=since)
        # A feed event shows the engagement's title only (meetings/ics.py).
        .select_related("engagement")
        .order_by("starts_at")
    )


class FeedMeeting(NamedTuple):
    """A meeting as a feed writes it (a ``CalendarItem`` of meetings/ics.py): only the columns
    an event needs. A feed holds a year of meetings, and making a Meeting and its Engagement
    for each row was about half of the feed's time (bench: ics_feed)."""

    pk: int
    uid: uuid.UUID
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    updated_at: dt.datetime
    created_at: dt.datetime
    location: str
    status: str
    # Meeting.calendar_title: the engagement's title, whatever the meeting's status.
    calendar_title: str


# In FeedMeeting's order.
_FEED_COLUMNS = (
    "pk",
    "uid",
    "sequence",
    "starts_at",
    "ends_at",
    "updated_at",
    "created_at",
    "location",
    "status",
    "engagement__title",
)


def feed_meetings(user: Any, practice: Practice, roles: frozenset[str]) -> list[FeedMeeting]:
    """meetings_for_feed (the same meetings, the same order), as light rows for the feed."""
    rows = meetings_for_feed(user, practice, roles).values_list(*_FEED_COLUMNS)
    return [FeedMeeting._make(row) for row in rows]
