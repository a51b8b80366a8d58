"""Every read of meetings, scoped to what the acting person may see."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
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


def meetings_of_participant(user: Any, practice: Practice) -> QuerySet[Meeting]:
    """meetings_visible_to for the participant role alone, the same meetings, with the
    person's memberships read first (one small query): the rule is then a test of each
    meeting's engagement and start, instead of an IN subquery and a correlated EXISTS that every
    query using it had to build, compile and run. Of a group they left, a participant sees the
    meetings before the day they left (the start's local date before it: before that day's
    midnight in the current time zone)."""
    still_in: set[int] = set()
    left: dict[int, dt.date] = {}
    memberships = GroupMembership.objects.filter(
        practice=practice, participant__user=user
    ).values_list("engagement_id", "left_on")
    for engagement_id, left_on in memberships:
        if left_on is None:
            still_in.add(engagement_id)
        else:
            left[engagement_id] = max(left.get(engagement_id, left_on), left_on)
    rule = Q(engagement_id__in=sorted(still_in))
    for engagement_id, day in sorted(left.items()):
        if engagement_id not in still_in:
            midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            rule |= Q(engagement_id=engagement_id, starts_at__lt=midnight)
    return Meeting.objects.filter(practice=practice).filter(rule)


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


class ScheduleRow(NamedTuple):
    """A meeting as a client's schedule shows it: when, whether it was cancelled and by whom,
    and (where the client sees attendance per meeting) how many came. No names, no content."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    late_cancellation: bool
    cancelled_by: str
    present: int | None = None
    absent: int | None = None


_SCHEDULE_COLUMNS = ("starts_at", "ends_at", "status", "late_cancellation", "cancelled_by")


def next_meetings_by_engagement(
    practice: Practice, engagement_ids: list[int], now: dt.datetime, shown: int
) -> dict[int, list[ScheduleRow]]:
    """The next ``shown`` meetings of each engagement (one going on now and cancelled ones
    included), in one query. A row number per engagement keeps it to those few however far
    ahead an engagement is planned."""
    found: dict[int, list[ScheduleRow]] = {pk: [] for pk in engagement_ids}
    rows = (
        Meeting.objects.filter(practice=practice, engagement__in=engagement_ids, ends_at__gt=now)
        .annotate(
            row=Window(RowNumber(), partition_by=F("engagement_id"), order_by=F("starts_at").asc())
        )
        .filter(row__lte=shown)
        .order_by("engagement_id", "starts_at")
        .values_list("engagement_id", *_SCHEDULE_COLUMNS)
    )
    for engagement_id, *columns in rows:
        found[engagement_id].append(ScheduleRow(*columns))
    return found


def attendance_totals(
    practice: Practice, engagement_ids: list[int], now: dt.datetime
) -> dict[int, tuple[int, int]]:
    """Per engagement, over its held meetings: attendances, and absences (late cancellations
    included), counted in one grouped query. Counts only, never who."""
    rows = (
        Attendance.objects.filter(
            practice=practice,
            meeting__engagement__in=engagement_ids,
            meeting__status=MeetingStatus.PLANNED,
            meeting__ends_at__lte=now,
        )
        .order_by()
        .values_list("meeting__engagement_id")
        .annotate(
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
            absent=Count(
                "pk",
                filter=Q(status__in=[AttendanceStatus.ABSENT, AttendanceStatus.LATE_CANCELLED]),
            ),
        )
    )
    return {engagement_id: (present, absent) for engagement_id, present, absent in rows}


def schedule_of(engagement: Engagement, *, with_attendance: bool) -> QuerySet[Any]:
    """An engagement's whole schedule as ScheduleRow columns, for a pager; with the attendance
    counts of each meeting only when asked (the client sees them only where agreed)."""
    qs = Meeting.objects.filter(practice_id=engagement.practice_id, engagement=engagement).order_by(
        "starts_at", "pk"
    )
    if with_attendance:
        return _with_attendance_counts(qs).values_list(
            *_SCHEDULE_COLUMNS, "present_count", "absent_count"
        )
    return qs.values_list(*_SCHEDULE_COLUMNS)


# The client's schedule page (home/client_views.py: client_schedule) shows this many meetings a
# page; a link to the page that holds one meeting is reckoned with the same number.
SCHEDULE_PAGE_SIZE = 50


def _meetings_before() -> Coalesce:
    """How many meetings of the same engagement come before the outer one in schedule_of's
    order (start, then pk), as a subquery."""
    before = (
        Meeting.objects.filter(
            practice_id=OuterRef("practice_id"), engagement_id=OuterRef("engagement_id")
        )
        .filter(
            Q(starts_at__lt=OuterRef("starts_at"))
            | Q(starts_at=OuterRef("starts_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("engagement_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(before), 0)


def with_schedule_index(meetings: QuerySet[Meeting]) -> QuerySet[Any]:
    """``meetings`` with ``schedule_index``: each one's place in its engagement's schedule (0
    for the first), counted in the same query, so that a calendar reckons its links to the
    schedule's pages without a query of its own."""
    return meetings.annotate(schedule_index=_meetings_before())


def schedule_page(index: int) -> int:
    """The page of the client's schedule (1 for the first) that holds the meeting at
    ``index`` (with_schedule_index)."""
    return index // SCHEDULE_PAGE_SIZE + 1


def schedule_pages(meetings: QuerySet[Meeting]) -> dict[int, int]:
    """The page of its engagement's schedule that holds each of ``meetings``, by pk, in one
    query."""
    rows = meetings.annotate(schedule_index=_meetings_before()).values_list("pk", "schedule_index")
    return {pk: schedule_page(index) for pk, index in rows}


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


def engagements_for_client_page(
    user: Any, practice: Practice, roles: frozenset[str]
) -> list[Engagement]:
    """The client contact's start page: the engagements with the supervisor's name, and the
    quota counts of with_quota (and late cancellations by cause) as attributes. The counts
    come from one query grouping the engagements' meetings, not five correlated subqueries per
    engagement: the same figures, from one pass over the meetings, and far less SQL to build."""
    now = clock.now()
    # The counts are set on each as attributes, as with_quota's annotations would be.
    engagements: list[Any] = list(
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
        .order_by("status", "client__name", "title")
    )
    live = Q(status=MeetingStatus.PLANNED)
    late = Q(status=MeetingStatus.CANCELLED, late_cancellation=True)
    counted = (
        Meeting.objects.filter(practice=practice, engagement__in=[e.pk for e in engagements])
        .order_by()
        .values_list("engagement_id")
        .annotate(
            held=Count("pk", filter=live & Q(ends_at__lte=now)),
            planned=Count("pk", filter=live & Q(ends_at__gt=now)),
            late=Count("pk", filter=late),
            # By cause, so that the client sees whose late cancellations they are.
            by_client=Count("pk", filter=late & Q(cancelled_by__in=sorted(CLIENT_SIDE))),
            by_staff=Count(
                "pk",
                filter=late & Q(cancelled_by__in=[CancelledBy.SUPERVISOR, CancelledBy.PRACTICE]),
            ),
        )
    )
    counts = {engagement_id: rest for engagement_id, *rest in counted}
    for e in engagements:
        (
            e.held_count,
            e.planned_count,
            e.late_cancelled_count,
            e.late_by_client_count,
            e.late_by_staff_count,
        ) = counts.get(e.pk, (0, 0, 0, 0, 0))
    return engagements


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
