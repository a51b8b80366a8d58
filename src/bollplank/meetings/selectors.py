"""Every read of meetings, scoped to what the acting person may see."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bollplank.core import clock
from bollplank.core.models import Practice
from bollplank.core.roles import Role
from bollplank.engagements.models import Engagement, GroupMembership
from bollplank.engagements.selectors import engagements_visible_to
from bollplank.meetings.enums import CLIENT_SIDE, AttendanceStatus, CancelledBy, MeetingStatus
from bollplank.meetings.models import Attendance, Meeting, VideoServer


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
        # An alias, not an annotation: only the filter needs it, and a selected EXISTS was
        # written (and compiled) a second time into every row's columns.
        qs = qs.alias(_as_participant=_participant_filter(user))
        # The engagement test first, so the database walks the person's few engagements on the
        # (engagement, starts_at) index instead of testing every meeting of the practice (which
        # made the participant's page grow with the size of the practice).
        groups = GroupMembership.objects.filter(participant__user=user).values("engagement")
        visible |= Q(engagement__in=groups, _as_participant=True)
    if Role.CLIENT_CONTACT not in roles:
        # Tests on the meeting's own columns and subqueries (IN, EXISTS), none of which can
        # repeat a row, so no DISTINCT (the paginator's COUNT over SELECT DISTINCT would be a
        # costly query of its own). Only the join through the client's contacts can.
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
        .select_related("engagement", "engagement__client", "supervisor")
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
        .only(
            "id",
            "engagement_id",
            "starts_at",
            "ends_at",
            "status",
            "late_cancellation",
            "cancelled_by",
        )
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
    for each row would cost more than writing the events."""

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
    # What decides whether the feed's owner gets the meeting's join page
    # (meetings/video.py: feed_join_pages).
    engagement_id: int
    supervisor_id: int
    engagement_venue: str


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
    "engagement_id",
    "supervisor_id",
    "engagement__venue",
)


def feed_meetings(user: Any, practice: Practice, roles: frozenset[str]) -> list[FeedMeeting]:
    """meetings_for_feed (the same meetings, the same order), as light rows for the feed."""
    rows = meetings_for_feed(user, practice, roles).values_list(*_FEED_COLUMNS)
    return [FeedMeeting._make(row) for row in rows]


# --- how the focus moved ------------------------------------------------------------------


@dataclass
class FocusPeriod:
    label: str
    counts: Counter[str] = field(default_factory=Counter)
    meetings: list[tuple[dt.date, str, bool]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def focus_over_time(meetings: list[Meeting], now: dt.datetime | None = None) -> list[FocusPeriod]:
    """The engagement's meetings (cancelled ones left out) by month, each with its focus, so
    that the supervisor sees how the group moves between process and case."""
    now = now or clock.now()
    periods: dict[str, FocusPeriod] = {}
    for meeting in meetings:
        if meeting.status != MeetingStatus.PLANNED:
            continue
        day = timezone.localdate(meeting.starts_at)
        label = f"{day:%Y-%m}"
        period = periods.setdefault(label, FocusPeriod(label))
        period.counts[meeting.effective_focus] += 1
        period.meetings.append((day, meeting.effective_focus, meeting.ends_at <= now))
    return [periods[k] for k in sorted(periods)]


# --- engagements with their meetings counted ---------------------------------------------------
# The quota of an engagement (meetings held and planned against those ordered) is counted from
# its meetings, so these engagement reads live on the meetings floor.


def with_quota(qs: QuerySet[Engagement], now: dt.datetime | None = None) -> QuerySet[Engagement]:
    """Annotate held / planned meetings: held have ended and were not cancelled, planned are
    still to come. With meetings_ordered that is the quota."""
    now = now or clock.now()
    live = Q(meetings__status=MeetingStatus.PLANNED)
    return qs.annotate(
        held_count=Count("meetings", filter=live & Q(meetings__ends_at__lte=now), distinct=True),
        planned_count=Count("meetings", filter=live & Q(meetings__ends_at__gt=now), distinct=True),
        late_cancelled_count=Count(
            "meetings",
            filter=Q(meetings__status=MeetingStatus.CANCELLED, meetings__late_cancellation=True),
            distinct=True,
        ),
    )


def engagements_for_list(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Engagement]:
    """Engagements with their client, supervisor and quota, for lists and start pages."""
    return with_quota(
        engagements_visible_to(user, practice, roles).select_related("client", "supervisor")
    ).order_by("status", "client__name", "title")


def _meeting_count(**filters: Any) -> Coalesce:
    """How many of the outer engagement's meetings match ``filters``, as a correlated subquery
    on the (engagement, starts_at) index."""
    counted = (
        Meeting.objects.filter(engagement=OuterRef("pk"), **filters)
        .order_by()
        .values("engagement")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def engagements_for_client_page(
    user: Any, practice: Practice, roles: frozenset[str]
) -> QuerySet[Engagement]:
    """The client contact's start page: the engagements with the supervisor's name and the
    quota counts of with_quota, counted per engagement in subqueries instead of a join with
    every meeting grouped over every column (a long-standing client has thousands)."""
    now = clock.now()
    planned = MeetingStatus.PLANNED
    return (
        engagements_visible_to(user, practice, roles)
        .select_related("supervisor")
        .only(
            "id",
            "title",
            "form",
            "meeting_minutes",
            "expectations",
            "goals",
            "meetings_ordered",
            "start_date",
            "end_date",
            "status",
            "attendance_visibility",
            "supervisor__id",
            "supervisor__name",
        )
        .annotate(
            held_count=_meeting_count(status=planned, ends_at__lte=now),
            planned_count=_meeting_count(status=planned, ends_at__gt=now),
            late_cancelled_count=_meeting_count(
                status=MeetingStatus.CANCELLED, late_cancellation=True
            ),
            # By cause, so that the client sees whose late cancellations they are.
            late_by_client_count=_meeting_count(
                status=MeetingStatus.CANCELLED,
                late_cancellation=True,
                cancelled_by__in=sorted(CLIENT_SIDE),
            ),
            late_by_staff_count=_meeting_count(
                status=MeetingStatus.CANCELLED,
                late_cancellation=True,
                cancelled_by__in=[CancelledBy.SUPERVISOR, CancelledBy.PRACTICE],
            ),
        )
        .order_by("status", "client__name", "title")
    )


def engagement_detail(user: Any, practice: Practice, roles: frozenset[str], pk: int) -> Engagement:
    """One engagement the person may see (404 otherwise), with memberships prefetched."""
    qs = with_quota(
        engagements_visible_to(user, practice, roles).select_related("client", "supervisor")
    ).prefetch_related(
        Prefetch(
            "memberships",
            queryset=GroupMembership.objects.select_related("participant").order_by(
                "left_on", "participant__name"
            ),
        )
    )
    return get_object_or_404(qs, pk=pk)


def supervisors_of(practice: Practice) -> QuerySet[Any]:
    """The practice's supervisors by name, for the calendar's supervisor filter."""
    return (
        get_user_model()
        .objects.filter(memberships__practice=practice, memberships__role=Role.SUPERVISOR)
        .only("id", "name", "email")
        .order_by("name")
        .distinct()
    )


def video_server_of(practice: Practice) -> VideoServer | None:
    """The practice's video server (its secret still encrypted), or None when it has none."""
    return VideoServer.objects.filter(practice=practice).first()
